import type { SchemaMigration } from '../../../../shared/src/db';

export const createOrgUnitAndTeacher: SchemaMigration = {
  name: '20261128100000_create_org_unit_and_teacher',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('org_unit', (t) => {
      t.text('id').primary(); // GB/T 2260 code, 10-digit school code, or CN
      t.text('parent_id').references('id').inTable(`${schema}.org_unit`).onDelete('restrict');
      t.text('name').notNullable();
      t.text('level').notNullable();
      t.text('path').notNullable().unique();
      t.text('school_stage');
      t.text('locale');
      t.boolean('is_public');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`level in ('national','province','city','county','school')`, [], 'org_unit_level_check');
      t.check(`(level = 'school') = (school_stage is not null and locale is not null and is_public is not null)`, [], 'org_unit_school_profile_check');
      t.index(['parent_id']);
    });
    await knex.raw('create index org_unit_path_idx on ??.org_unit (path text_pattern_ops)', [schema]);

    await knex.schema.withSchema(schema).createTable('teacher', (t) => {
      t.uuid('id').primary();
      t.text('national_teacher_number').notNullable().unique();
      t.text('name').notNullable();
      t.smallint('gender').notNullable();
      t.date('birth_date').notNullable();
      t.text('school_id').notNullable().references('id').inTable(`${schema}.org_unit`);
      // Copy of the school's path, kept with the affiliation so scoping needs no join.
      t.text('org_path').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check('gender in (0, 1, 2, 9)', [], 'teacher_gender_check');
      t.index(['school_id']);
    });
    await knex.raw('create index teacher_org_path_idx on ??.teacher (org_path text_pattern_ops, id)', [schema]);
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('teacher');
    await knex.schema.withSchema(schema).dropTableIfExists('org_unit');
  },
};
