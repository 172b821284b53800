import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Basic pay and benefits [基本待遇] (DOMAIN.md §3), entered by the school: one row per change of
 * pay, effective from a date, so the archive keeps the history and statistics take the row in
 * force today. Amounts are yuan per month with fen precision (numeric, never float).
 */
export const teacherPay: SchemaMigration = {
  name: '20261129400000_teacher_pay',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('teacher_pay', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable().references('id').inTable(`${schema}.teacher`).onDelete('cascade');
      t.integer('version').notNullable().defaultTo(1);
      t.text('source_system').notNullable().defaultTo('teacher-registry');
      t.text('source_ref');
      t.text('entered_by').notNullable();
      t.text('entered_role').notNullable();
      t.boolean('verified').notNullable().defaultTo(false);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      // Post grade of the pay scale [岗位等级] and salary step [薪级] of public institutions.
      t.smallint('post_grade').notNullable();
      t.smallint('salary_step').notNullable();
      t.decimal('basic_monthly_pay', 10, 2).notNullable();
      t.decimal('monthly_allowances', 10, 2).notNullable().defaultTo(0);
      t.date('effective_from').notNullable();
      t.unique(['source_system', 'source_ref']);
      // The row in force for a teacher is the latest effective_from on or before a day.
      t.index(['teacher_id', 'effective_from']);
      t.check('post_grade between 1 and 13', [], 'teacher_pay_post_grade_check');
      t.check('salary_step between 1 and 65', [], 'teacher_pay_salary_step_check');
      t.check('basic_monthly_pay > 0 and monthly_allowances >= 0', [], 'teacher_pay_amounts_check');
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_pay');
  },
};
