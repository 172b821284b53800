import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Issue #6:
 * - `title_post_request`: every title appointment evaluation asked for and what staffing-quota did
 *   (the post taken, or why none was free). A partial unique index allows one taken post per title
 *   application, however often the request is repeated after a refusal.
 * - `approved_leave`: approved absences from teaching [批准的离岗] (maternity, sick, study,
 *   secondment). Registration must not count a service gap they cover; evaluation reads them through
 *   the federated Teacher (`approvedLeaves`).
 */
export const titlePostsAndApprovedLeave: SchemaMigration = {
  name: '20261129100000_title_posts_and_approved_leave',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('title_post_request', (t) => {
      t.uuid('event_id').primary();
      t.uuid('application_id').notNullable().index();
      t.uuid('teacher_id').notNullable();
      t.text('org_id').notNullable();
      t.text('title').notNullable();
      t.date('starts_on');
      t.text('outcome').notNullable();
      t.uuid('appointment_id');
      t.text('reason');
      t.timestamp('decided_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`outcome in ('appointed','refused')`, [], 'title_post_request_outcome_check');
      t.check(`(outcome = 'appointed') = (appointment_id is not null)`, [], 'title_post_request_appointment_check');
    });
    await knex.raw(`create unique index title_post_request_once_idx on ??.title_post_request (application_id) where outcome = 'appointed'`, [schema]);
    await knex.schema.withSchema(schema).createTable('approved_leave', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.uuid('teacher_id').notNullable().index();
      t.text('org_id').notNullable();
      t.text('reason').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on').notNullable();
      t.text('document_ref').notNullable();
      t.text('approved_by').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`reason in ('maternity','sick','study','secondment')`, [], 'approved_leave_reason_check');
      t.check('ends_on >= starts_on', [], 'approved_leave_dates_check');
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('approved_leave');
    await knex.schema.withSchema(schema).dropTableIfExists('title_post_request');
  },
};
