import type { SchemaMigration } from '../../../../shared/src/db';
import { PAY_BAND_SQL } from '../../services/pay';

/**
 * Pay-band rollup [工资分布汇总]: active teachers per school and band of the pay in force, so the
 * pay-band statistics of a province or the nation sum school rows instead of reading every teacher
 * and pay row (repositories/statistics.ts).
 *
 * Writes only mark schools dirty (statement-level triggers with transition tables on `teacher` and
 * `teacher_pay`: one set-based insert per statement, also for a 10,000-row import); the reader
 * recounts the dirty schools before it sums (`refreshPayBandRollup`). Pay entered ahead of time
 * becomes "in force" with the calendar, not with a write: when the day has changed since
 * `pay_band_rollup_state.as_of`, the reader also marks the schools whose pay rows took effect since.
 */
export const payRowsOfSchoolsSql = (schema: string, schools: string) => `
  select t.school_id, t.org_path as school_path,
         ${PAY_BAND_SQL('p.basic_monthly_pay + p.monthly_allowances')} as code
    from "${schema}".teacher t
    left join "${schema}".teacher_pay p on p.teacher_id = t.id and p.effective_from <= current_date
      and not exists (select 1 from "${schema}".teacher_pay q where q.teacher_id = p.teacher_id and q.effective_from <= current_date
                       and (q.effective_from, q.created_at, q.id) > (p.effective_from, p.created_at, p.id))
   where t.status = 'active' and (${schools})`;

/** Rollup rows (school_id, school_path, code, count) recounted for the schools matching `schools`. */
export const recountSql = (schema: string, schools: string) => `
  insert into "${schema}".pay_band_rollup (school_id, school_path, code, count)
  select school_id, school_path, code, count(*)::int
    from (${payRowsOfSchoolsSql(schema, schools)}) x
   group by school_id, school_path, code`;

const TEACHER_EVENTS: [string, string][] = [
  ['insert', 'select school_id from new_rows'],
  ['update', 'select school_id from new_rows union select school_id from old_rows'],
  ['delete', 'select school_id from old_rows'],
];

export const payBandRollup: SchemaMigration = {
  name: '20261129400100_pay_band_rollup',
  async up(knex, schema) {
    await knex.raw(`create table "${schema}".pay_band_rollup (school_id text not null, school_path text not null, code text, count int not null)`);
    await knex.raw(`create index pay_band_rollup_path_idx on "${schema}".pay_band_rollup (school_path text_pattern_ops)`);
    await knex.raw(`create index pay_band_rollup_school_idx on "${schema}".pay_band_rollup (school_id)`);
    await knex.raw(`create table "${schema}".pay_band_dirty (school_id text primary key)`);
    await knex.raw(`create table "${schema}".pay_band_rollup_state (id int primary key check (id = 1), as_of date not null)`);
    await knex.raw(`insert into "${schema}".pay_band_rollup_state values (1, current_date)`);
    await knex.raw(recountSql(schema, 'true'));
    // A teacher's school, status or existence changed: its old and new schools are recounted.
    for (const [event, schools] of TEACHER_EVENTS) {
      const referencing = event === 'insert' ? 'new table as new_rows' : event === 'delete' ? 'old table as old_rows' : 'old table as old_rows new table as new_rows';
      await knex.raw(`create function "${schema}".pay_band_mark_teacher_${event}() returns trigger language plpgsql as $$
        begin
          insert into "${schema}".pay_band_dirty (school_id) select distinct school_id from (${schools}) s where school_id is not null on conflict do nothing;
          return null;
        end $$`);
      await knex.raw(`create trigger pay_band_mark_teacher_${event} after ${event} on "${schema}".teacher referencing ${referencing}
        for each statement execute function "${schema}".pay_band_mark_teacher_${event}()`);
      await knex.raw(`create function "${schema}".pay_band_mark_pay_${event}() returns trigger language plpgsql as $$
        begin
          insert into "${schema}".pay_band_dirty (school_id)
            select distinct t.school_id from (${schools.replace(/school_id/g, 'teacher_id')}) s join "${schema}".teacher t on t.id = s.teacher_id
            on conflict do nothing;
          return null;
        end $$`);
      await knex.raw(`create trigger pay_band_mark_pay_${event} after ${event} on "${schema}".teacher_pay referencing ${referencing}
        for each statement execute function "${schema}".pay_band_mark_pay_${event}()`);
    }
  },
  async down(knex, schema) {
    for (const [event] of TEACHER_EVENTS) {
      await knex.raw(`drop trigger if exists pay_band_mark_teacher_${event} on "${schema}".teacher`);
      await knex.raw(`drop trigger if exists pay_band_mark_pay_${event} on "${schema}".teacher_pay`);
      await knex.raw(`drop function if exists "${schema}".pay_band_mark_teacher_${event}()`);
      await knex.raw(`drop function if exists "${schema}".pay_band_mark_pay_${event}()`);
    }
    await knex.raw(`drop table if exists "${schema}".pay_band_rollup_state`);
    await knex.raw(`drop table if exists "${schema}".pay_band_dirty`);
    await knex.raw(`drop table if exists "${schema}".pay_band_rollup`);
  },
};
