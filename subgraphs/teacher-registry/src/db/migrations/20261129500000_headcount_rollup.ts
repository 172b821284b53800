import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Headcount rollup [人数统计汇总]: how many teachers each unit that holds schools (normally a
 * county) has per dimension and code, so subtree statistics sum a few hundred rows per county
 * instead of reading every teacher (one million teachers: tens of milliseconds instead of seconds).
 *
 * Kept current by the writes themselves: statement-level triggers on `teacher` (transition tables,
 * so a 10,000-row import costs one set-based update, not 10,000) and a row trigger on `org_unit` for
 * a school's stage or locale (a teacher's move is an update of the teacher). Age bands move with the calendar, not with writes:
 * the rollup holds them as of `headcount_rollup_state.as_of`; `headcount_rollup_advance()` (called
 * before every read) shifts exactly the teachers whose 30th, 40th or 50th birthday fell since then,
 * a few hundred a day nationally. Triggers read `as_of` with a share lock, the advance takes it
 * exclusively, so a write and a date shift never interleave.
 *
 * Dimensions and codes are those of the registry's live headcount query (repositories/teachers.ts):
 * `status` over every teacher, the rest over active teachers only; code null = not recorded.
 */
export const ROLLUP_DIMENSIONS = ['status', 'gender', 'staffCategory', 'title', 'educationLevel', 'onQuota', 'stage', 'locale', 'subject', 'ageBand', 'titleAgeBand'] as const;

const ageBandSql = (birth: string, on: string) => `case when age(${on}::timestamp, ${birth}::timestamp) < interval '30 years' then 'under_30'
  when age(${on}::timestamp, ${birth}::timestamp) < interval '40 years' then '30_39'
  when age(${on}::timestamp, ${birth}::timestamp) < interval '50 years' then '40_49'
  else '50_and_over' end`;

/**
 * Rollup rows (unit_path, dimension, code, count) of teacher rows `source` (columns of `teacher`,
 * the school's `stage` and `locale`, and a `sign`), age bands as of `asOf`. The unit is the school's
 * parent: the teacher's path minus its last step.
 */
export function rollupRowsSql(source: string, asOf: string): string {
  return `select regexp_replace(c.org_path, '[^/]+/$', '') as unit_path, v.dimension, v.code, sum(c.sign)::int as count
    from (${source}) c
    cross join lateral (select ${ageBandSql('c.birth_date', asOf)} as age_band) a
    cross join lateral (values
      ('status', c.status, true),
      ('gender', c.gender::text, c.status = 'active'),
      ('staffCategory', c.staff_category, c.status = 'active'),
      ('title', c.title, c.status = 'active'),
      ('educationLevel', c.education_level, c.status = 'active'),
      ('onQuota', c.on_quota::text, c.status = 'active'),
      ('stage', c.stage, c.status = 'active'),
      ('locale', c.locale, c.status = 'active'),
      ('subject', c.subject, c.status = 'active'),
      ('ageBand', a.age_band, c.status = 'active'),
      ('titleAgeBand', coalesce(c.title, '') || '|' || a.age_band, c.status = 'active')
    ) v(dimension, code, applies)
    where v.applies
    group by 1, 2, 3`;
}

const TEACHER_COLUMNS = ['org_path', 'school_id', 'status', 'gender', 'staff_category', 'title', 'education_level', 'on_quota', 'subject', 'birth_date'];
const cols = (alias: string) => TEACHER_COLUMNS.map((c) => `${alias}.${c}`).join(', ');
/** Teacher rows of `from` (a table or transition table) with their school's stage and locale. */
export const withSchool = (schema: string, sign: number, from: string, where = 'true') =>
  `select ${sign} as sign, ${cols('t')}, s.school_stage as stage, s.locale from ${from} t left join "${schema}".org_unit s on s.id = t.school_id where ${where}`;

/** Adds `rows` (signed counts) to the rollup; ordered so concurrent writers lock rows in one order. */
export const applySql = (schema: string, rows: string) => `insert into "${schema}".headcount_rollup as r (unit_path, dimension, code, count)
    select unit_path, dimension, code, count from (${rows}) d where count <> 0
    order by unit_path, dimension, code
    on conflict (unit_path, dimension, code) do update set count = r.count + excluded.count`;

export const headcountRollup: SchemaMigration = {
  name: '20261129500000_headcount_rollup',
  async up(knex, schema) {
    await knex.raw(`create table "${schema}".headcount_rollup (
      unit_path text not null,
      dimension text not null,
      code text,
      count integer not null,
      constraint headcount_rollup_key unique nulls not distinct (unit_path, dimension, code)
    )`);
    await knex.raw(`create index headcount_rollup_path_idx on "${schema}".headcount_rollup (unit_path text_pattern_ops)`);
    await knex.raw(`create table "${schema}".headcount_rollup_state (
      id boolean primary key default true check (id),
      as_of date not null
    )`);
    // Birthdays that move a teacher to the next age band are found by date.
    await knex.raw(`create index teacher_birth_date_idx on "${schema}".teacher (birth_date)`);

    await knex.raw(`create function "${schema}".headcount_rollup_rebuild(on_date date default current_date) returns void language plpgsql as $$
      begin
        lock table "${schema}".headcount_rollup_state in exclusive mode;
        delete from "${schema}".headcount_rollup;
        ${applySql(schema, rollupRowsSql(withSchool(schema, 1, `"${schema}".teacher`), 'on_date'))};
        insert into "${schema}".headcount_rollup_state (id, as_of) values (true, on_date)
          on conflict (id) do update set as_of = excluded.as_of;
      end $$`);

    // Teachers whose age band differs between the rollup's date and the target date: only those
    // born within a day of a 30th/40th/50th birthday in that window (index on birth_date).
    const shifted = (sign: number) =>
      withSchool(
        schema,
        sign,
        `"${schema}".teacher`,
        `t.status = 'active'
        and (${[30, 40, 50].map((n) => `t.birth_date between (previous - interval '${n} years' - interval '1 day')::date and (target - interval '${n} years' + interval '1 day')::date`).join(' or ')})
        and ${ageBandSql('t.birth_date', 'previous')} <> ${ageBandSql('t.birth_date', 'target')}`,
      );
    await knex.raw(`create function "${schema}".headcount_rollup_advance(target date default current_date) returns void language plpgsql as $$
      declare previous date;
      begin
        select as_of into previous from "${schema}".headcount_rollup_state;
        if previous = target then return; end if;
        select as_of into previous from "${schema}".headcount_rollup_state for update;
        if previous is null or previous > target or target - previous > 366 then
          perform "${schema}".headcount_rollup_rebuild(target);
          return;
        end if;
        if previous = target then return; end if;
        ${applySql(
          schema,
          `select unit_path, dimension, code, sum(count)::int as count from (
            ${rollupRowsSql(shifted(-1), 'previous')}
            union all
            ${rollupRowsSql(shifted(1), 'target')}
          ) moved where dimension in ('ageBand', 'titleAgeBand') group by 1, 2, 3`,
        )};
        update "${schema}".headcount_rollup_state set as_of = target;
      end $$`);

    const triggerFunction = (name: string, source: string) =>
      knex.raw(`create function "${schema}".${name}() returns trigger language plpgsql as $$
        declare as_of_date date;
        begin
          select as_of into as_of_date from "${schema}".headcount_rollup_state for share;
          if as_of_date is null then return null; end if;
          ${applySql(schema, rollupRowsSql(source, 'as_of_date'))};
          return null;
        end $$`);
    await triggerFunction('headcount_rollup_on_insert', withSchool(schema, 1, 'new_rows'));
    await triggerFunction('headcount_rollup_on_delete', withSchool(schema, -1, 'old_rows'));
    await triggerFunction('headcount_rollup_on_update', `${withSchool(schema, 1, 'new_rows')} union all ${withSchool(schema, -1, 'old_rows')}`);
    await knex.raw(`create trigger headcount_rollup_insert after insert on "${schema}".teacher referencing new table as new_rows
      for each statement execute function "${schema}".headcount_rollup_on_insert()`);
    await knex.raw(`create trigger headcount_rollup_delete after delete on "${schema}".teacher referencing old table as old_rows
      for each statement execute function "${schema}".headcount_rollup_on_delete()`);
    await knex.raw(`create trigger headcount_rollup_update after update on "${schema}".teacher referencing old table as old_rows new table as new_rows
      for each statement execute function "${schema}".headcount_rollup_on_update()`);

    // A school's stage or locale counts for all its teachers: recount the unit that holds it.
    await knex.raw(`create function "${schema}".headcount_rollup_on_school_change() returns trigger language plpgsql as $$
      declare as_of_date date;
      begin
        select as_of into as_of_date from "${schema}".headcount_rollup_state for share;
        if as_of_date is null then return null; end if;
        ${applySql(
          schema,
          rollupRowsSql(
            `select -1 as sign, ${cols('t')}, old.school_stage as stage, old.locale from "${schema}".teacher t where t.school_id = old.id
             union all
             select 1, ${cols('t')}, new.school_stage, new.locale from "${schema}".teacher t where t.school_id = new.id`,
            'as_of_date',
          ),
        )};
        return null;
      end $$`);
    await knex.raw(`create trigger headcount_rollup_school after update of school_stage, locale on "${schema}".org_unit
      for each row when ((old.school_stage, old.locale) is distinct from (new.school_stage, new.locale))
      execute function "${schema}".headcount_rollup_on_school_change()`);

    await knex.raw(`select "${schema}".headcount_rollup_rebuild()`);
  },
  async down(knex, schema) {
    await knex.raw(`drop trigger if exists headcount_rollup_school on "${schema}".org_unit`);
    for (const op of ['insert', 'update', 'delete']) await knex.raw(`drop trigger if exists headcount_rollup_${op} on "${schema}".teacher`);
    for (const fn of ['headcount_rollup_on_school_change()', 'headcount_rollup_on_insert()', 'headcount_rollup_on_update()', 'headcount_rollup_on_delete()', 'headcount_rollup_advance(date)', 'headcount_rollup_rebuild(date)']) {
      await knex.raw(`drop function if exists "${schema}".${fn}`);
    }
    await knex.raw(`drop index if exists "${schema}".teacher_birth_date_idx`);
    await knex.raw(`drop table if exists "${schema}".headcount_rollup_state`);
    await knex.raw(`drop table if exists "${schema}".headcount_rollup`);
  },
};
