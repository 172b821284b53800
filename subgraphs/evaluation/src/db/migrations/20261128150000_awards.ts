import type { SchemaMigration } from '../../../../shared/src/db';

/** Award programmes with their gates, nominations and results [评优评先]. */
export const awards: SchemaMigration = {
  name: '20261128150000_awards',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('award_programme', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.text('name').notNullable();
      t.text('level').notNullable();
      t.text('organiser_org_id').notNullable();
      t.text('organiser_path').notNullable();
      t.text('issuer').notNullable();
      t.date('nomination_opens_on').notNullable();
      t.date('nomination_closes_on').notNullable();
      t.integer('min_years_pass_or_better').notNullable();
      t.integer('min_excellent_in_those_years').notNullable();
      t.boolean('requires_training_complete').notNullable();
      t.text('created_by_subject').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`level in ('national','provincial','city','county','school')`, [], 'award_programme_level_check');
      t.check('nomination_closes_on >= nomination_opens_on', [], 'award_programme_window_check');
      t.check('min_excellent_in_those_years <= min_years_pass_or_better', [], 'award_programme_gates_check');
    });
    await knex.raw('create index award_programme_path_idx on ??.award_programme (organiser_path text_pattern_ops)', [schema]);
    await s().createTable('award_nomination', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.uuid('programme_id').notNullable().references('id').inTable(`${schema}.award_programme`);
      t.uuid('teacher_id').notNullable().index();
      t.text('stage').notNullable().defaultTo('nominated');
      t.date('nominated_on').notNullable();
      t.text('nominated_by_subject').notNullable();
      t.date('decided_on');
      t.date('awarded_on');
      t.text('document_ref');
      t.text('note');
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['programme_id', 'teacher_id']);
      t.check(`stage in ('nominated','awarded','not_awarded')`, [], 'award_nomination_stage_check');
    });
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('award_nomination');
    await s().dropTableIfExists('award_programme');
  },
};
