import type { SchemaMigration } from '../../../../shared/src/db';
import { createTeacherScopeProjection } from '../../../../shared/src/projections';

export const createTrainingRecords: SchemaMigration = {
  name: '20261128100000_create_training_records',
  async up(knex, schema) {
    await createTeacherScopeProjection(knex, schema);
    await knex.schema.withSchema(schema).createTable('training_cycle', (t) => {
      t.text('id').primary();
      t.date('starts_on').notNullable();
      t.date('ends_on').notNullable();
      t.decimal('required_hours', 7, 1).notNullable();
      t.check('ends_on > starts_on', [], 'training_cycle_dates_check');
      t.check('required_hours > 0', [], 'training_cycle_required_hours_check');
    });
    await knex.schema.withSchema(schema).createTable('training_record', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      t.text('title').notNullable();
      t.text('form').notNullable();
      t.decimal('hours', 6, 1).notNullable();
      t.date('completed_on').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`form in ('centralised','online','school_based','teaching_research','practice')`, [], 'training_record_form_check');
      t.check('hours > 0', [], 'training_record_hours_check');
      t.index(['teacher_id', 'completed_on']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('training_record');
    await knex.schema.withSchema(schema).dropTableIfExists('training_cycle');
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_scope');
  },
};
