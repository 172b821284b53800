import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Indexes for the set-based questions asked most: a year's enrolment across a subtree (standard
 * quota, forecast), transfer pages newest first, and rotation assignments per host school.
 */
export const addLookupIndexes: SchemaMigration = {
  name: '20261128130000_add_lookup_indexes',
  async up(knex, schema) {
    await knex.raw('create index enrolment_year_org_idx on ??.enrolment (year, org_id)', [schema]);
    await knex.raw('create index transfer_created_idx on ??.transfer (created_at desc, id desc)', [schema]);
    await knex.raw('create index rotation_assignment_host_idx on ??.rotation_assignment (host_org_id)', [schema]);
  },
  async down(knex, schema) {
    await knex.raw('drop index if exists ??.rotation_assignment_host_idx', [schema]);
    await knex.raw('drop index if exists ??.transfer_created_idx', [schema]);
    await knex.raw('drop index if exists ??.enrolment_year_org_idx', [schema]);
  },
};
