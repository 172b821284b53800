import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * The completion rollup's writers mark their schools with `on conflict do update` instead of `do
 * nothing`, so a writer holds the school's dirty row until it commits.
 *
 * With `do nothing`, a write whose school already had a committed mark left it untouched and
 * unlocked: a reader could take that mark and recount the school before the write committed (not
 * seeing it), and the committed write would then have no mark left: the school stale until its next
 * write. Holding the row closes that: a reader skips a mark a writer holds (`skip locked`), and a
 * writer that finds a mark a reader holds waits for it to go, then inserts a fresh one.
 */
const EVENTS: [string, string][] = [
  ['insert', 'select teacher_id from new_rows'],
  ['update', 'select teacher_id from new_rows union select teacher_id from old_rows'],
  ['delete', 'select teacher_id from old_rows'],
];

const markFunctions = (schema: string, conflict: string) =>
  EVENTS.flatMap(([event, teachers]) => [
    `create or replace function "${schema}".training_completion_mark_ledger_${event}() returns trigger language plpgsql as $$
      begin
        insert into "${schema}".training_completion_dirty (school_path)
          select distinct sc.org_path from (${teachers}) x join "${schema}".teacher_scope sc on sc.teacher_id = x.teacher_id
          ${conflict};
        return null;
      end $$`,
    `create or replace function "${schema}".training_completion_mark_scope_${event}() returns trigger language plpgsql as $$
      begin
        insert into "${schema}".training_completion_dirty (school_path) select distinct org_path from (${teachers.replace(/teacher_id/g, 'org_path')}) x ${conflict};
        return null;
      end $$`,
  ]);

export const trainingCompletionMarksLock: SchemaMigration = {
  name: '20261130100100_training_completion_marks_lock',
  async up(knex, schema) {
    for (const sql of markFunctions(schema, 'on conflict (school_path) do update set school_path = excluded.school_path')) await knex.raw(sql);
  },
  async down(knex, schema) {
    for (const sql of markFunctions(schema, 'on conflict do nothing')) await knex.raw(sql);
  },
};
