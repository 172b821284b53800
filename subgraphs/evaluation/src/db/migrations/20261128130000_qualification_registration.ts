import type { SchemaMigration } from '../../../../shared/src/db';

/** Five-year qualification registration cycles per teacher and their workflow (apply → file → register). */
export const qualificationRegistration: SchemaMigration = {
  name: '20261128130000_qualification_registration',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('qualification_registration', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.uuid('teacher_id').notNullable();
      t.date('cycle_starts_on').notNullable();
      t.date('deadline').notNullable();
      t.text('stage').notNullable().defaultTo('open');
      t.date('applied_on');
      t.date('filed_on');
      t.text('filed_by_subject');
      t.date('registered_on');
      t.text('registered_by_subject');
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['teacher_id', 'cycle_starts_on']);
      t.check(`stage in ('open','applied','filed','registered')`, [], 'qualification_registration_stage_check');
      t.check(`deadline = (cycle_starts_on + interval '5 years' - interval '1 day')::date`, [], 'qualification_registration_five_years_check');
    });
    await knex.raw('create index qualification_registration_due_idx on ??.qualification_registration (deadline, stage)', [schema]);
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('qualification_registration');
  },
};
