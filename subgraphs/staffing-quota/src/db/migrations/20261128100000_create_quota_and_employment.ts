import type { SchemaMigration } from '../../../../shared/src/db';
import { createOrgScopeProjection, createTeacherScopeProjection } from '../../../../shared/src/projections';

export const createQuotaAndEmployment: SchemaMigration = {
  name: '20261128100000_create_quota_and_employment',
  async up(knex, schema) {
    await createTeacherScopeProjection(knex, schema);
    await createOrgScopeProjection(knex, schema);
    await knex.schema.withSchema(schema).createTable('staffing_quota', (t) => {
      t.text('org_id').notNullable();
      t.smallint('year').notNullable();
      t.integer('approved').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['org_id', 'year']);
      t.check('approved >= 0', [], 'staffing_quota_approved_check');
    });
    await knex.schema.withSchema(schema).createTable('employment', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      t.text('org_id').notNullable();
      t.boolean('on_quota').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check('ends_on is null or ends_on >= starts_on', [], 'employment_dates_check');
      t.index(['teacher_id']);
      t.index(['org_id', 'on_quota']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('employment');
    await knex.schema.withSchema(schema).dropTableIfExists('staffing_quota');
    await knex.schema.withSchema(schema).dropTableIfExists('org_scope');
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_scope');
  },
};
