import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Title review [职称评审]: the minimum conditions per target title as dated (provincial) data, the
 * publicity period [公示期] as dated data, and applications with their workflow.
 */
export const titleReview: SchemaMigration = {
  name: '20261128140000_title_review',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('title_requirement', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.text('province_code'); // null: national typical minimums
      t.text('target_title').notNullable(); // registry TITLE codes: senior_professor, senior, first, second
      t.text('prerequisite_title').notNullable();
      t.decimal('min_years', 4, 1).notNullable();
      t.decimal('min_years_with_doctorate', 4, 1);
      // Highest GB/T 4658 code accepted (lower codes are higher education): '28' = bachelor or above.
      t.text('max_education_code');
      // Urban and county-town teachers need this much rural or weak-school service [农村或薄弱学校任教经历].
      t.decimal('urban_rural_service_years', 4, 1).notNullable().defaultTo(0);
      t.date('effective_from').notNullable();
      t.date('effective_to');
      t.text('source').notNullable();
    });
    await knex(`${schema}.title_requirement`).insert([
      { target_title: 'senior_professor', prerequisite_title: 'senior', min_years: 5, max_education_code: '28', effective_from: '2015-08-28', source: '人社部发〔2015〕79号' },
      { target_title: 'senior', prerequisite_title: 'first', min_years: 5, min_years_with_doctorate: 2, max_education_code: '28', urban_rural_service_years: 1, effective_from: '2015-08-28', source: '人社部发〔2015〕79号' },
      { target_title: 'first', prerequisite_title: 'second', min_years: 4, max_education_code: '28', effective_from: '2015-08-28', source: '人社部发〔2015〕79号' },
      { target_title: 'second', prerequisite_title: 'third', min_years: 3, max_education_code: '38', effective_from: '2015-08-28', source: '人社部发〔2015〕79号' },
    ]);
    await s().createTable('title_review_setting', (t) => {
      t.text('province_code'); // null: national default
      t.integer('publicity_days').notNullable();
      t.date('effective_from').notNullable();
      t.unique(['province_code', 'effective_from']);
    });
    await knex(`${schema}.title_review_setting`).insert({ province_code: null, publicity_days: 5, effective_from: '2015-08-28' });
    await s().createTable('title_application', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.uuid('teacher_id').notNullable().index();
      t.text('target_title').notNullable();
      t.text('school_id').notNullable();
      t.text('stage').notNullable().defaultTo('applied');
      t.date('applied_on').notNullable();
      t.date('publicity_starts_on');
      t.date('publicity_ends_on');
      t.date('pre_reviewed_on');
      t.date('decided_on');
      t.text('decision_note');
      t.date('appointed_on');
      t.text('document_ref');
      t.text('last_actor_subject').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`stage in ('applied','publicised','pre_reviewed','approved','rejected','appointed','withdrawn')`, [], 'title_application_stage_check');
    });
    // One open application per teacher at a time.
    await knex.raw(
      `create unique index title_application_open_idx on ??.title_application (teacher_id) where stage in ('applied','publicised','pre_reviewed','approved')`,
      [schema],
    );
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('title_application');
    await s().dropTableIfExists('title_review_setting');
    await s().dropTableIfExists('title_requirement');
  },
};
