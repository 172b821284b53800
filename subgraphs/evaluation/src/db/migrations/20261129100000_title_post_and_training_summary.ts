import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Issue #6, closing gaps:
 * - A title appointment now waits for staffing-quota to take a post slot of the title's grades
 *   (`appointment_pending`), and ends `appointed` or `slot_refused` (with staffing's reason) when its
 *   answer arrives. Both new stages keep the application open, so the teacher cannot apply twice.
 * - `training_cycle_summary`: training's verdict per teacher and five-year cycle (hours, credits,
 *   requirement, met), fed by `training.cycle-summaries-changed`. Registration reads the cycle being
 *   decided and award nominations read the gate from it; a mutation cannot use @requires.
 */
export const titlePostAndTrainingSummary: SchemaMigration = {
  name: '20261129100000_title_post_and_training_summary',
  async up(knex, schema) {
    await knex.raw('alter table ??.title_application drop constraint title_application_stage_check', [schema]);
    await knex.raw(
      `alter table ??.title_application add constraint title_application_stage_check
         check (stage in ('applied','publicised','pre_reviewed','approved','rejected','appointment_pending','slot_refused','appointed','withdrawn'))`,
      [schema],
    );
    await knex.schema.withSchema(schema).alterTable('title_application', (t) => {
      t.date('appointment_requested_on');
      t.text('slot_refused_reason');
      t.smallint('post_grade');
    });
    await knex.raw('drop index ??.title_application_open_idx', [schema]);
    await knex.raw(
      `create unique index title_application_open_idx on ??.title_application (teacher_id)
         where stage in ('applied','publicised','pre_reviewed','approved','appointment_pending','slot_refused')`,
      [schema],
    );
    await knex.schema.withSchema(schema).createTable('training_cycle_summary', (t) => {
      t.uuid('teacher_id').notNullable();
      t.text('cycle_id').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on').notNullable();
      t.text('province_code').notNullable();
      t.decimal('hours', 10, 2).notNullable();
      t.decimal('credits', 10, 2).notNullable();
      t.decimal('required_hours', 10, 2).notNullable();
      t.decimal('required_credits', 10, 2).notNullable();
      t.boolean('is_met').notNullable();
      // occurredAt of the event that carried the figures: an older event never overwrites a newer one.
      t.timestamp('as_of', { useTz: true }).notNullable();
      t.primary(['teacher_id', 'starts_on', 'ends_on']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('training_cycle_summary');
    await knex.raw('drop index ??.title_application_open_idx', [schema]);
    await knex.raw(`update ??.title_application set stage = 'approved' where stage in ('appointment_pending','slot_refused')`, [schema]);
    await knex.raw(
      `create unique index title_application_open_idx on ??.title_application (teacher_id) where stage in ('applied','publicised','pre_reviewed','approved')`,
      [schema],
    );
    await knex.schema.withSchema(schema).alterTable('title_application', (t) => {
      t.dropColumn('appointment_requested_on');
      t.dropColumn('slot_refused_reason');
      t.dropColumn('post_grade');
    });
    await knex.raw('alter table ??.title_application drop constraint title_application_stage_check', [schema]);
    await knex.raw(
      `alter table ??.title_application add constraint title_application_stage_check
         check (stage in ('applied','publicised','pre_reviewed','approved','rejected','appointed','withdrawn'))`,
      [schema],
    );
  },
};
