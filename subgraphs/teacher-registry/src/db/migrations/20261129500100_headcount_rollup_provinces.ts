import type { SchemaMigration } from '../../../../shared/src/db';
import { applySql, rollupRowsSql, withSchool } from './20261129500000_headcount_rollup';

/** The county rebuild of 20261129500000; with `provinces` it also marks the province sums stale. */
const rebuildFunction = (schema: string, provinces: boolean) => `create or replace function "${schema}".headcount_rollup_rebuild(on_date date default current_date) returns void language plpgsql as $$
      begin
        lock table "${schema}".headcount_rollup_state in exclusive mode;
        delete from "${schema}".headcount_rollup;
        ${applySql(schema, rollupRowsSql(withSchool(schema, 1, `"${schema}".teacher`), 'on_date'))};
        insert into "${schema}".headcount_rollup_state (id, as_of) values (true, on_date)
          on conflict (id) do update set as_of = excluded.as_of${provinces ? ', provinces_as_of = null' : ''};
      end $$`;

/**
 * Province totals of the headcount rollup: the nation's statistics sum 32 provinces' rows instead of
 * every county's (2,844 at a million teachers). Provinces are hot: a row per province that every
 * write updated would serialise all writes of a province. So writes only append a mark (no key,
 * never blocks) naming the province they touched, and the reader's `headcount_rollup_prepare()`
 * (one statement before each read) advances the age bands and re-sums the marked provinces from
 * their county rows, all of them when the age bands moved.
 */
export const headcountRollupProvinces: SchemaMigration = {
  name: '20261129500100_headcount_rollup_provinces',
  async up(knex, schema) {
    const s = `"${schema}"`;
    await knex.raw(`create table ${s}.headcount_rollup_province (
      province_path text not null,
      dimension text not null,
      code text,
      count integer not null,
      constraint headcount_rollup_province_key unique nulls not distinct (province_path, dimension, code)
    )`);
    await knex.raw(`create table ${s}.headcount_rollup_province_dirty (seq bigserial primary key, province_path text not null)`);
    // The county rollup's date the province rows were summed at; null: re-sum every province.
    await knex.raw(`alter table ${s}.headcount_rollup_state add column provinces_as_of date`);

    await knex.raw(`create function ${s}.headcount_rollup_mark_provinces() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into ${s}.headcount_rollup_province_dirty (province_path) select distinct substring(org_path from '^/[^/]+/[^/]+/') from new_rows;
        end if;
        if tg_op in ('UPDATE', 'DELETE') then
          insert into ${s}.headcount_rollup_province_dirty (province_path) select distinct substring(org_path from '^/[^/]+/[^/]+/') from old_rows;
        end if;
        return null;
      end $$`);
    await knex.raw(`create trigger headcount_rollup_provinces_insert after insert on ${s}.teacher referencing new table as new_rows
      for each statement execute function ${s}.headcount_rollup_mark_provinces()`);
    await knex.raw(`create trigger headcount_rollup_provinces_update after update on ${s}.teacher referencing old table as old_rows new table as new_rows
      for each statement execute function ${s}.headcount_rollup_mark_provinces()`);
    await knex.raw(`create trigger headcount_rollup_provinces_delete after delete on ${s}.teacher referencing old table as old_rows
      for each statement execute function ${s}.headcount_rollup_mark_provinces()`);
    await knex.raw(`create function ${s}.headcount_rollup_mark_school_province() returns trigger language plpgsql as $$
      begin
        insert into ${s}.headcount_rollup_province_dirty (province_path) values (substring(new.path from '^/[^/]+/[^/]+/'));
        return null;
      end $$`);
    await knex.raw(`create trigger headcount_rollup_school_province after update of school_stage, locale on ${s}.org_unit
      for each row when ((old.school_stage, old.locale) is distinct from (new.school_stage, new.locale))
      execute function ${s}.headcount_rollup_mark_school_province()`);

    // One statement before every read: age bands to today, then marked (or all) provinces re-summed.
    await knex.raw(`create function ${s}.headcount_rollup_prepare() returns void language plpgsql as $$
      declare
        counties_as_of date;
        provinces_as_of_date date;
        consumed bigint[];
      begin
        perform ${s}.headcount_rollup_advance();
        select as_of, provinces_as_of into counties_as_of, provinces_as_of_date from ${s}.headcount_rollup_state;
        if provinces_as_of_date is not distinct from counties_as_of
           and not exists (select 1 from ${s}.headcount_rollup_province_dirty) then
          return;
        end if;
        perform pg_advisory_xact_lock(hashtext('${schema}.headcount_rollup_province'));
        select as_of, provinces_as_of into counties_as_of, provinces_as_of_date from ${s}.headcount_rollup_state;
        if provinces_as_of_date is distinct from counties_as_of then
          select array_agg(seq) into consumed from ${s}.headcount_rollup_province_dirty;
          delete from ${s}.headcount_rollup_province;
          insert into ${s}.headcount_rollup_province (province_path, dimension, code, count)
            select substring(unit_path from '^/[^/]+/[^/]+/'), dimension, code, sum(count)::int
              from ${s}.headcount_rollup group by 1, 2, 3 having sum(count) <> 0;
          update ${s}.headcount_rollup_state set provinces_as_of = counties_as_of;
        else
          select array_agg(seq) into consumed from ${s}.headcount_rollup_province_dirty;
          if consumed is null then return; end if;
          delete from ${s}.headcount_rollup_province p
            where p.province_path in (select province_path from ${s}.headcount_rollup_province_dirty where seq = any(consumed));
          insert into ${s}.headcount_rollup_province (province_path, dimension, code, count)
            select substring(r.unit_path from '^/[^/]+/[^/]+/'), r.dimension, r.code, sum(r.count)::int
              from ${s}.headcount_rollup r
             where substring(r.unit_path from '^/[^/]+/[^/]+/') in (select province_path from ${s}.headcount_rollup_province_dirty where seq = any(consumed))
             group by 1, 2, 3 having sum(r.count) <> 0;
        end if;
        delete from ${s}.headcount_rollup_province_dirty where seq = any(coalesce(consumed, '{}'));
      end $$`);
    // A rebuild of the county rows (after a bulk load) also marks the province sums stale.
    await knex.raw(rebuildFunction(schema, true));
    await knex.raw(`select ${s}.headcount_rollup_prepare()`);
  },
  async down(knex, schema) {
    const s = `"${schema}"`;
    await knex.raw(`drop trigger if exists headcount_rollup_school_province on ${s}.org_unit`);
    for (const op of ['insert', 'update', 'delete']) await knex.raw(`drop trigger if exists headcount_rollup_provinces_${op} on ${s}.teacher`);
    await knex.raw(rebuildFunction(schema, false));
    for (const fn of ['headcount_rollup_prepare()', 'headcount_rollup_mark_school_province()', 'headcount_rollup_mark_provinces()']) {
      await knex.raw(`drop function if exists ${s}.${fn}`);
    }
    await knex.raw(`alter table ${s}.headcount_rollup_state drop column if exists provinces_as_of`);
    await knex.raw(`drop table if exists ${s}.headcount_rollup_province_dirty`);
    await knex.raw(`drop table if exists ${s}.headcount_rollup_province`);
  },
};
