import type { SchemaMigration } from '../../../../shared/src/db';
import { recountSql } from './20261129400100_pay_band_rollup';

/** The province of a school path: `/CN/420000/…/1142000101/` → `/CN/420000/`. */
const provinceOf = (path: string) => `substring(${path} from '^/[^/]+/[^/]+/')`;

/**
 * One statement that recounts the schools matching `schools` (a condition on `t`, bound twice:
 * `schoolBindings` names how to bind it) and moves their province sums by the difference: the
 * school rows deleted count negative, the rows inserted positive. Province rows are upserted in key
 * order, so two readers recounting schools of the same province queue instead of deadlocking.
 */
export const recountSchoolsAndProvincesSql = (schema: string, schools: string) => `
  with old as (
    delete from "${schema}".pay_band_rollup t where ${schools} returning school_path, code, count
  ), new as (
    ${recountSql(schema, schools)}
    returning school_path, code, count
  )
  insert into "${schema}".pay_band_rollup_province as p (province_path, code, count)
  select province_path, code, sum(count)::int from (
    select ${provinceOf('school_path')} as province_path, code, count from new
    union all
    select ${provinceOf('school_path')}, code, -count from old
  ) d
  group by province_path, code
  having sum(count) <> 0
  order by province_path, code
  on conflict (province_path, code) do update set count = p.count + excluded.count`;

/**
 * Province sums of the pay-band rollup: the nation's pay bands sum 32 province rows per band instead
 * of every school's (31,750 schools at a million teachers, ~15 bands each: 133–366 ms under load).
 *
 * Only readers write them: the reader's recount of a chunk of dirty schools (repositories/
 * statistics.ts) replaces the schools' rows and adds the difference to their provinces in the same
 * statement, so a province row always equals the sum of its school rows as committed. Writers of
 * teachers and pay are unchanged (they only mark schools), so province rows are never hot for them.
 */
export const payBandRollupProvinces: SchemaMigration = {
  name: '20261130500100_pay_band_rollup_provinces',
  async up(knex, schema) {
    const s = `"${schema}"`;
    await knex.raw(`create table ${s}.pay_band_rollup_province (
      province_path text not null,
      code text,
      count integer not null,
      constraint pay_band_rollup_province_key unique nulls not distinct (province_path, code)
    )`);
    // A reader recounting while this runs would move rows not yet summed: wait for readers to finish.
    await knex.raw(`lock table ${s}.pay_band_rollup in share mode`);
    await knex.raw(`insert into ${s}.pay_band_rollup_province (province_path, code, count)
      select ${provinceOf('school_path')}, code, sum(count)::int from ${s}.pay_band_rollup group by 1, 2 having sum(count) <> 0`);
  },
  async down(knex, schema) {
    await knex.raw(`drop table if exists "${schema}".pay_band_rollup_province`);
  },
};
