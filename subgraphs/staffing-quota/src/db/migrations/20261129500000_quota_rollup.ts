import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Quota figures per organisation and year [编制汇总]: approved quota, on-quota staff, students and
 * standard quota of each unit itself, so a subtree's staffing balance sums one row per unit
 * (30,000 rows for the nation at one million teachers) instead of counting employments and
 * recomputing standards from enrolment for every school (seconds).
 *
 * Kept current without staleness: every write that changes a unit's figures marks the unit dirty
 * (row triggers on quota, employment, enrolment, school profile and the org projection); a change of
 * staffing standards or extras clears the figures of every year. The reader
 * (repositories/quota-rollup.ts) recomputes dirty units, a year not cached yet, and, when the date
 * moved, the units where an on-quota employment started or ended in between (occupancy is counted
 * today while the year runs) before it sums. Rows are computed by the same SQL as the live query.
 */
const MARKED_TABLES = ['staffing_quota', 'employment', 'enrolment', 'school_profile', 'org_scope'];
const STANDARD_TABLES = ['staffing_standard', 'staffing_extra_rule'];

export const quotaRollup: SchemaMigration = {
  name: '20261129500000_quota_rollup',
  async up(knex, schema) {
    await knex.raw(`create table "${schema}".quota_rollup (
      org_id text not null,
      year smallint not null,
      org_path text not null,
      approved integer not null,
      occupied integer not null,
      standard integer not null,
      students integer not null,
      primary key (org_id, year)
    )`);
    await knex.raw(`create index quota_rollup_year_path_idx on "${schema}".quota_rollup (year, org_path text_pattern_ops)`);
    // Which years are cached, and the day their occupancy was counted on.
    await knex.raw(`create table "${schema}".quota_rollup_state (year smallint primary key, as_of date not null)`);
    await knex.raw(`create table "${schema}".quota_rollup_dirty (seq bigserial primary key, org_id text not null)`);
    // Employments that start or end between two reads are found by date.
    await knex.raw(`create index employment_starts_on_idx on "${schema}".employment (starts_on) where on_quota`);
    await knex.raw(`create index employment_ends_on_idx on "${schema}".employment (ends_on) where on_quota and ends_on is not null`);

    await knex.raw(`create function "${schema}".quota_rollup_mark() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then insert into "${schema}".quota_rollup_dirty (org_id) values (old.org_id); end if;
        if tg_op in ('INSERT', 'UPDATE') then insert into "${schema}".quota_rollup_dirty (org_id) values (new.org_id); end if;
        return null;
      end $$`);
    for (const table of MARKED_TABLES) {
      await knex.raw(`create trigger quota_rollup_mark after insert or update or delete on "${schema}".${table}
        for each row execute function "${schema}".quota_rollup_mark()`);
    }
    // Standards apply to many schools: drop the cached years, the next read recounts them.
    await knex.raw(`create function "${schema}".quota_rollup_rebuild() returns void language plpgsql as $$
      begin
        delete from "${schema}".quota_rollup_state;
        delete from "${schema}".quota_rollup;
        delete from "${schema}".quota_rollup_dirty;
      end $$`);
    await knex.raw(`create function "${schema}".quota_rollup_on_standards() returns trigger language plpgsql as $$
      begin perform "${schema}".quota_rollup_rebuild(); return null; end $$`);
    for (const table of STANDARD_TABLES) {
      await knex.raw(`create trigger quota_rollup_standards after insert or update or delete or truncate on "${schema}".${table}
        for each statement execute function "${schema}".quota_rollup_on_standards()`);
    }
  },
  async down(knex, schema) {
    for (const table of STANDARD_TABLES) await knex.raw(`drop trigger if exists quota_rollup_standards on "${schema}".${table}`);
    for (const table of MARKED_TABLES) await knex.raw(`drop trigger if exists quota_rollup_mark on "${schema}".${table}`);
    await knex.raw(`drop function if exists "${schema}".quota_rollup_on_standards()`);
    await knex.raw(`drop function if exists "${schema}".quota_rollup_rebuild()`);
    await knex.raw(`drop function if exists "${schema}".quota_rollup_mark()`);
    await knex.raw(`drop index if exists "${schema}".employment_ends_on_idx`);
    await knex.raw(`drop index if exists "${schema}".employment_starts_on_idx`);
    for (const table of ['quota_rollup_dirty', 'quota_rollup_state', 'quota_rollup']) await knex.raw(`drop table if exists "${schema}".${table}`);
  },
};
