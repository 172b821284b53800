import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Demand forecast figures per unit and base year [需求预测汇总], so the forecast of a province or
 * the nation sums a few thousand rows instead of projecting every school's enrolment and dating
 * every teacher's retirement (3–4 s for the nation at one million teachers).
 *
 * - `forecast_stage_rollup`: per unit holding enrolment, base year, forecast year (base+1 …
 *   base+10) and stage: projected students and students ÷ the ratio in force (numeric, not rounded:
 *   numeric sums are exact, so a subtree's ceiling equals the live query's).
 * - `forecast_retirement_rollup`: per unit, base year and retirement year (clamped to base+1 below,
 *   base+11 meaning "later"; 0 = no retirement age known: no profile or no rule for the gender)
 *   the teachers employed in the unit on 1 September of the base year.
 * - `*_province` tables: the same summed per province (the nation's own unit counts as its own
 *   "province"), so the nation and a province read 31 × a few rows. Re-summed by the reader for
 *   the provinces of re-counted units, never by writers (that would serialise a province's writes).
 * - `forecast_rollup_shared`: teachers employed in two units on a base year's 1 September; a
 *   subtree holding one is counted live (the per-unit counts would count them twice).
 *
 * Kept current without staleness like the quota figures: statement triggers with transition tables
 * mark the units a write touches (employment, enrolment, school profile, org projection; a teacher
 * profile marks the units employing the teacher); a change of staffing standards or retirement
 * rules drops every cached base year. The reader (repositories/forecast-rollup.ts) recounts marked
 * units and computes a base year not cached yet before it sums.
 */
const MARKED_TABLES = ['employment', 'enrolment', 'school_profile', 'org_scope'];
const RULE_TABLES = ['staffing_standard', 'retirement_rule'];
const TABLES = [
  'forecast_rollup_shared',
  'forecast_retirement_province',
  'forecast_stage_province',
  'forecast_retirement_rollup',
  'forecast_stage_rollup',
  'forecast_rollup_dirty',
  'forecast_rollup_state',
];

export const forecastRollup: SchemaMigration = {
  name: '20261130600000_forecast_rollup',
  async up(knex, schema) {
    const s = `"${schema}"`;
    await knex.raw(`create table ${s}.forecast_rollup_state (base_year smallint primary key)`);
    await knex.raw(`create table ${s}.forecast_rollup_dirty (seq bigserial primary key, org_id text not null)`);
    await knex.raw(`create table ${s}.forecast_stage_rollup (
      base_year smallint not null, org_id text not null, org_path text not null, year smallint not null, stage text not null,
      students bigint not null, staff numeric,
      primary key (base_year, org_id, year, stage))`);
    await knex.raw(`create index forecast_stage_rollup_path_idx on ${s}.forecast_stage_rollup (base_year, org_path text_pattern_ops)`);
    await knex.raw(`create table ${s}.forecast_retirement_rollup (
      base_year smallint not null, org_id text not null, org_path text not null, year smallint not null, teachers integer not null,
      primary key (base_year, org_id, year))`);
    await knex.raw(`create index forecast_retirement_rollup_path_idx on ${s}.forecast_retirement_rollup (base_year, org_path text_pattern_ops)`);
    await knex.raw(`create table ${s}.forecast_stage_province (
      base_year smallint not null, province_path text not null, year smallint not null, stage text not null,
      students bigint not null, staff numeric,
      primary key (base_year, province_path, year, stage))`);
    await knex.raw(`create table ${s}.forecast_retirement_province (
      base_year smallint not null, province_path text not null, year smallint not null, teachers integer not null,
      primary key (base_year, province_path, year))`);
    await knex.raw(`create table ${s}.forecast_rollup_shared (base_year smallint not null, teacher_id uuid not null, primary key (base_year, teacher_id))`);

    // One statement-level trigger per event: PostgreSQL allows transition tables on single-event triggers only.
    await knex.raw(`create function ${s}.forecast_rollup_mark() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then insert into ${s}.forecast_rollup_dirty (org_id) select distinct org_id from old_rows; end if;
        if tg_op in ('INSERT', 'UPDATE') then insert into ${s}.forecast_rollup_dirty (org_id) select distinct org_id from new_rows; end if;
        return null;
      end $$`);
    // A teacher's birth date or gender moves their retirement year in every unit employing them.
    await knex.raw(`create function ${s}.forecast_rollup_mark_teacher() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          insert into ${s}.forecast_rollup_dirty (org_id)
          select distinct e.org_id from ${s}.employment e where e.teacher_id in (select teacher_id from old_rows);
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into ${s}.forecast_rollup_dirty (org_id)
          select distinct e.org_id from ${s}.employment e where e.teacher_id in (select teacher_id from new_rows);
        end if;
        return null;
      end $$`);
    for (const [table, fn] of [...MARKED_TABLES.map((t) => [t, 'forecast_rollup_mark']), ['teacher_profile', 'forecast_rollup_mark_teacher']] as const) {
      await knex.raw(`create trigger forecast_rollup_insert after insert on ${s}.${table} referencing new table as new_rows
        for each statement execute function ${s}.${fn}()`);
      await knex.raw(`create trigger forecast_rollup_update after update on ${s}.${table} referencing old table as old_rows new table as new_rows
        for each statement execute function ${s}.${fn}()`);
      await knex.raw(`create trigger forecast_rollup_delete after delete on ${s}.${table} referencing old table as old_rows
        for each statement execute function ${s}.${fn}()`);
    }
    // Ratios and retirement ages apply to every unit: drop the cached base years, the next read recounts.
    await knex.raw(`create function ${s}.forecast_rollup_on_rules() returns trigger language plpgsql as $$
      begin
        ${TABLES.map((t) => `delete from ${s}.${t};`).join('\n        ')}
        return null;
      end $$`);
    for (const table of RULE_TABLES) {
      await knex.raw(`create trigger forecast_rollup_rules after insert or update or delete or truncate on ${s}.${table}
        for each statement execute function ${s}.forecast_rollup_on_rules()`);
    }
  },
  async down(knex, schema) {
    const s = `"${schema}"`;
    for (const table of RULE_TABLES) await knex.raw(`drop trigger if exists forecast_rollup_rules on ${s}.${table}`);
    for (const table of [...MARKED_TABLES, 'teacher_profile']) {
      for (const event of ['insert', 'update', 'delete']) await knex.raw(`drop trigger if exists forecast_rollup_${event} on ${s}.${table}`);
    }
    for (const fn of ['forecast_rollup_on_rules', 'forecast_rollup_mark_teacher', 'forecast_rollup_mark']) await knex.raw(`drop function if exists ${s}.${fn}()`);
    for (const table of TABLES) await knex.raw(`drop table if exists ${s}.${table}`);
  },
};
