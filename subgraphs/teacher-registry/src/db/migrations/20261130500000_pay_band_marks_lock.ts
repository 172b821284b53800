import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * The pay-band rollup's writers mark their schools with `on conflict do update` instead of `do
 * nothing`, so a writer holds the school's dirty row until it commits (as training's
 * 20261130100100 does for its completion rollup).
 *
 * With `do nothing`, a write whose school already had a committed mark left it untouched and
 * unlocked: a reader could take that mark and recount the school before the write committed (not
 * seeing it), and the committed write would then have no mark left: the school stale until its next
 * write. Holding the row closes that: a reader skips a mark a writer holds (`skip locked`), and a
 * writer that finds a mark a reader holds waits for it to go, then inserts a fresh one. Marks are
 * taken in school order so two writers of the same schools queue instead of deadlocking.
 */
const EVENTS: [string, string][] = [
  ['insert', 'select school_id from new_rows'],
  ['update', 'select school_id from new_rows union select school_id from old_rows'],
  ['delete', 'select school_id from old_rows'],
];

const markFunctions = (schema: string, conflict: string, ordered: boolean) =>
  EVENTS.flatMap(([event, schools]) => [
    `create or replace function "${schema}".pay_band_mark_teacher_${event}() returns trigger language plpgsql as $$
        begin
          insert into "${schema}".pay_band_dirty (school_id) select distinct school_id from (${schools}) s where school_id is not null ${ordered ? 'order by 1' : ''} ${conflict};
          return null;
        end $$`,
    `create or replace function "${schema}".pay_band_mark_pay_${event}() returns trigger language plpgsql as $$
        begin
          insert into "${schema}".pay_band_dirty (school_id)
            select distinct t.school_id from (${schools.replace(/school_id/g, 'teacher_id')}) s join "${schema}".teacher t on t.id = s.teacher_id
            ${ordered ? 'where t.school_id is not null order by 1' : ''}
            ${conflict};
          return null;
        end $$`,
  ]);

export const payBandMarksLock: SchemaMigration = {
  name: '20261130500000_pay_band_marks_lock',
  async up(knex, schema) {
    for (const sql of markFunctions(schema, 'on conflict (school_id) do update set school_id = excluded.school_id', true)) await knex.raw(sql);
  },
  async down(knex, schema) {
    for (const sql of markFunctions(schema, 'on conflict do nothing', false)) await knex.raw(sql);
  },
};
