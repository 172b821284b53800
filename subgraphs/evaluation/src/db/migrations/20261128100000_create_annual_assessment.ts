import type { SchemaMigration } from '../../../../shared/src/db';
import { createTeacherScopeProjection } from '../../../../shared/src/projections';

export const createAnnualAssessment: SchemaMigration = {
  name: '20261128100000_create_annual_assessment',
  async up(knex, schema) {
    await createTeacherScopeProjection(knex, schema);
    await knex.schema.withSchema(schema).createTable('annual_assessment', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      t.smallint('year').notNullable();
      t.text('grade').notNullable();
      t.text('assessed_by_org_id').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['teacher_id', 'year']);
      t.check(`grade in ('excellent','pass','basic_pass','fail')`, [], 'annual_assessment_grade_check');
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('annual_assessment');
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_scope');
  },
};
