import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { inSubtreeSql } from '../../../shared/src/org-scope';
import { ratioLateral } from './standards';
import { COHORT_PROJECTION_CTES, projectStages, retirementsByYear, type StageYearRow } from './forecast';

/**
 * The demand forecast cache (see migration 20261130600000_forecast_rollup): per unit and base year
 * the projected students and students ÷ ratio per forecast year and stage, and the teachers in post
 * per retirement year, computed by the same SQL as the live queries in forecast.ts (which stay the
 * reference), plus province sums so the nation and a province sum a few hundred rows.
 */

/** The longest forecast the API allows: the cache holds every year of it, a read takes its prefix. */
const MAX_YEARS = 10;
/** The province a path belongs to ('/CN/44/…' → '/CN/44/'); the nation's own unit is its own key. */
const provinceOf = (column: string) => `coalesce(substring(${column} from '^/[^/]+/[^/]+/'), ${column})`;
/** Nation ('/CN/') and province ('/CN/440000/') paths read the province sums. */
const PROVINCE_OR_ABOVE = /^\/[^/]+\/([^/]+\/)?$/;

const activeOn = (alias: string) => `${alias}.starts_on <= ?::date and (${alias}.ends_on is null or ${alias}.ends_on >= ?::date)`;

/** Per-unit rows of `baseYear` for the units `orgIds` (null: every unit), replacing what was there. */
async function writeUnits(trx: Knex.Transaction, db: Db, baseYear: number, orgIds: string[] | null): Promise<void> {
  const only = (column: string) => (orgIds ? ` and ${column} = any(?)` : '');
  const ids = orgIds ? [orgIds] : [];
  for (const table of ['forecast_stage_rollup', 'forecast_retirement_rollup']) {
    await trx.raw(`delete from ${db.t(table)} where base_year = ?${only('org_id')}`, [baseYear, ...ids]);
  }
  // The projection of forecast.ts projectStages, per school, stage and year, before summing. The
  // ratio depends only on stage, year, province and locale: looked up once per such key (a few
  // thousand) rather than once per school and year (300,000 lookups took 15 s at a million).
  await trx.raw(
    `with base as (
       select e.org_id, e.stage, e.grade, e.students from ${db.t('enrolment')} e
       where e.year = ?${only('e.org_id')}
     ),
     ${COHORT_PROJECTION_CTES},
     placed as (
       select p.*, o.org_path, split_part(o.org_path, '/', 3) as province_code, sp.locale
       from projected p
       join ${db.t('org_scope')} o on o.org_id = p.org_id
       join ${db.t('school_profile')} sp on sp.org_id = p.org_id
     ),
     ratio as (
       select o.stage, o.year, o.province_code, o.locale, ${ratioLateral(db, 'o.stage', 'make_date(o.year, 9, 1)')} as students_per_staff
       from (select stage, year, province_code, locale, min(org_path) as org_path from placed group by stage, year, province_code, locale) o
       cross join lateral (select o.locale) sp
     )
     insert into ${db.t('forecast_stage_rollup')} (base_year, org_id, org_path, year, stage, students, staff)
     select ?, p.org_id, p.org_path, p.year, p.stage, p.students, p.students / r.students_per_staff
     from placed p join ratio r using (stage, year, province_code, locale)`,
    [baseYear, ...ids, baseYear, MAX_YEARS, baseYear],
  );
  // The retirement year of forecast.ts retirementsByYear, per unit; 0 when none is known (no
  // profile, no rule for the gender): such teachers are in post but never retire in the forecast.
  const on = `${baseYear}-09-01`;
  // Grouped by birth date and gender first: the retirement arithmetic runs once per distinct
  // (unit, birth date, gender), not once per teacher.
  await trx.raw(
    `with staff as (
       select distinct e.org_id, e.teacher_id from ${db.t('employment')} e
       where ${activeOn('e')}${only('e.org_id')}
     ),
     born as (
       select s.org_id, tp.birth_date, tp.gender, count(*) as teachers
       from staff s left join ${db.t('teacher_profile')} tp on tp.teacher_id = s.teacher_id
       group by s.org_id, tp.birth_date, tp.gender
     )
     insert into ${db.t('forecast_retirement_rollup')} (base_year, org_id, org_path, year, teachers)
     select ?, b.org_id, o.org_path, y.year, sum(b.teachers)
     from born b
     join ${db.t('org_scope')} o on o.org_id = b.org_id
     left join ${db.t('retirement_rule')} r on r.gender = b.gender
     cross join lateral (select case when r.gender is null then 0 else least(?::int + ?, greatest(?::int + 1, extract(year from
           b.birth_date + make_interval(years => r.base_age, months =>
             case when r.reform_from_birth is not null and b.birth_date >= r.reform_from_birth
                  then least(r.max_delay_months,
                             ((extract(year from age(b.birth_date, r.reform_from_birth)) * 12
                               + extract(month from age(b.birth_date, r.reform_from_birth)))::int / r.months_per_step) + 1)
                  else 0 end))::int)) end as year) y
     group by b.org_id, o.org_path, y.year`,
    [on, on, ...ids, baseYear, baseYear, MAX_YEARS + 1, baseYear],
  );
  // Teachers employed in two units that day: a subtree holding both would count them twice.
  const candidates = orgIds
    ? `(select teacher_id from ${db.t('employment')} where org_id = any(?)
        union select teacher_id from ${db.t('forecast_rollup_shared')} where base_year = ?)`
    : null;
  await trx.raw(
    `delete from ${db.t('forecast_rollup_shared')} where base_year = ?${candidates ? ` and teacher_id in ${candidates}` : ''}`,
    [baseYear, ...(orgIds ? [orgIds, baseYear] : [])],
  );
  await trx.raw(
    `insert into ${db.t('forecast_rollup_shared')} (base_year, teacher_id)
     select ?, e.teacher_id from ${db.t('employment')} e join ${db.t('org_scope')} o on o.org_id = e.org_id
     where ${activeOn('e')}${candidates ? ` and e.teacher_id in ${candidates}` : ''}
     group by e.teacher_id having count(distinct e.org_id) > 1`,
    [baseYear, on, on, ...(orgIds ? [orgIds, baseYear] : [])],
  );
}

/** Provinces (province paths) holding the units `orgIds` in the cached rows of `baseYear` and in the org tree. */
async function provincesOf(trx: Knex.Transaction, db: Db, baseYear: number, orgIds: string[]): Promise<string[]> {
  const rows: { path: string }[] = (
    await trx.raw(
      `select distinct ${provinceOf('org_path')} as path from (
         select org_path from ${db.t('forecast_stage_rollup')} where base_year = ? and org_id = any(?)
         union all select org_path from ${db.t('forecast_retirement_rollup')} where base_year = ? and org_id = any(?)
         union all select org_path from ${db.t('org_scope')} where org_id = any(?)) p`,
      [baseYear, orgIds, baseYear, orgIds, orgIds],
    )
  ).rows;
  return rows.map((r) => r.path);
}

/** Re-sums the province rows of `baseYear` for the province paths `provinces` (null: all). */
async function sumProvinces(trx: Knex.Transaction, db: Db, baseYear: number, provinces: string[] | null): Promise<void> {
  const figures = [
    { target: 'forecast_stage_province', source: 'forecast_stage_rollup', keys: ['year', 'stage'], sums: ['students', 'staff'] },
    { target: 'forecast_retirement_province', source: 'forecast_retirement_rollup', keys: ['year'], sums: ['teachers'] },
  ];
  // One statement per province with its path as a literal prefix, so the path index finds its rows
  // (a prefix taken from a join column cannot use it: every row of the base year was read).
  for (const province of provinces ?? [null]) {
    for (const { target, source, keys, sums } of figures) {
      await trx.raw(`delete from ${db.t(target)} where base_year = ?${province ? ' and province_path = ?' : ''}`, province ? [baseYear, province] : [baseYear]);
      await trx.raw(
        `insert into ${db.t(target)} (base_year, province_path, ${keys.join(', ')}, ${sums.join(', ')})
         select ?, ${provinceOf('org_path')}, ${keys.join(', ')}, ${sums.map((c) => `sum(${c})`).join(', ')}
         from ${db.t(source)}
         where base_year = ?${province ? ` and org_path like ? and ${provinceOf('org_path')} = ?` : ''}
         group by ${provinceOf('org_path')}, ${keys.join(', ')}`,
        province ? [baseYear, baseYear, `${province}%`, province] : [baseYear, baseYear],
      );
    }
  }
}

/**
 * Brings the cache up to date for `baseYear`: computes the base year if it is not cached, and
 * recounts every unit marked dirty by a write (and its province) for every cached base year. One
 * refresh at a time (advisory lock); marks written meanwhile stay for the next one. With
 * `wait: false` it gives up at once when another refresh holds the lock and answers false.
 */
export async function refreshForecastRollup(db: Db, baseYear: number, options: { wait?: boolean } = {}): Promise<boolean> {
  return db.knex.transaction(async (trx) => {
    // The projection's row estimates (generate_series) are far too high: JIT compilation took 1.7 s of
    // 2.7 s at 100,000 teachers. Counting a million teachers' units spills to disk at 4 MB.
    await trx.raw(`set local jit = off`);
    await trx.raw(`set local work_mem = '64MB'`);
    // Counting a new base year for a million teachers takes 20–40 s under load (350,000 school-year
    // rows): longer than the 15 s statement timeout, and done once per base year.
    await trx.raw(`set local statement_timeout = '300s'`);
    const lockKey = `${db.schema}.forecast_rollup`;
    if (options.wait === false) {
      const [{ locked }] = (await trx.raw('select pg_try_advisory_xact_lock(hashtext(?)) as locked', [lockKey])).rows;
      if (!locked) return false;
    } else {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [lockKey]);
    }
    // Marks are read before anything is counted: a write committed after this still finds its mark.
    const dirty: { seq: string; org_id: string }[] = (await trx.raw(`select seq, org_id from ${db.t('forecast_rollup_dirty')}`)).rows;
    const cached: number[] = (await trx.raw(`select base_year from ${db.t('forecast_rollup_state')}`)).rows.map((r: { base_year: number }) => Number(r.base_year));
    if (!cached.includes(baseYear)) {
      await writeUnits(trx, db, baseYear, null);
      await sumProvinces(trx, db, baseYear, null);
      await trx.raw(`insert into ${db.t('forecast_rollup_state')} (base_year) values (?)`, [baseYear]);
    }
    if (dirty.length === 0) return true;
    const orgIds = [...new Set(dirty.map((d) => d.org_id))];
    for (const year of cached) {
      const before = await provincesOf(trx, db, year, orgIds);
      await writeUnits(trx, db, year, orgIds);
      const after = await provincesOf(trx, db, year, orgIds);
      await sumProvinces(trx, db, year, [...new Set([...before, ...after])]);
    }
    await trx.raw(`delete from ${db.t('forecast_rollup_dirty')} where seq = any(?::bigint[])`, [dirty.map((d) => d.seq)]);
    return true;
  });
}

/** First counts of a base year running after their request has been answered, by schema and year. */
const backgroundCounts = new Map<string, Promise<void>>();

/**
 * Counts `baseYear` into the cache after the request that asked for it has been answered: the first
 * count of a base year reads every teacher and school (45 s at a million teachers under load),
 * far past the gateway's deadline, while the live queries answer one request in a second or two.
 */
function countBaseYearInBackground(db: Db, baseYear: number, onError: (error: unknown) => void): void {
  const key = `${db.schema}:${baseYear}`;
  if (backgroundCounts.has(key)) return;
  const work = refreshForecastRollup(db, baseYear)
    .then(() => undefined)
    .catch(onError)
    .finally(() => backgroundCounts.delete(key));
  backgroundCounts.set(key, work);
}

/** Resolves when every first count this process started has finished (shutdown; tests). */
export async function forecastCountsSettled(): Promise<void> {
  while (backgroundCounts.size) await Promise.allSettled([...backgroundCounts.values()]);
}

export interface ForecastFigures {
  stages: StageYearRow[];
  inPost: number;
  byYear: Map<number, number>;
}

/**
 * The forecast of the subtree at `unitPath` from the cache, in one statement (one snapshot); null
 * when the cache is not current (a write since, a base year not cached). `shared` says a teacher of
 * the subtree is employed in two units, so its in-post and retirement counts must be counted live.
 */
async function readCache(db: Db, unitPath: string, baseYear: number, years: number): Promise<(ForecastFigures & { shared: boolean }) | null> {
  const provinces = PROVINCE_OR_ABOVE.test(unitPath);
  const [stageTable, retirementTable, pathColumn] = provinces
    ? ['forecast_stage_province', 'forecast_retirement_province', 'province_path']
    : ['forecast_stage_rollup', 'forecast_retirement_rollup', 'org_path'];
  const on = `${baseYear}-09-01`;
  const result = await db.knex.raw(
    `with st as (
       select exists (select 1 from ${db.t('forecast_rollup_state')} where base_year = ?)
          and not exists (select 1 from ${db.t('forecast_rollup_dirty')}) as fresh
     ),
     retiring as (
       select year, sum(teachers)::int as n from ${db.t(retirementTable)}
       where base_year = ? and ${pathColumn} like ? group by year
     )
     select st.fresh,
       (select coalesce(json_agg(s order by s.year, s.stage), '[]'::json) from (
          select year, stage, sum(students)::int as students, ceil(coalesce(sum(staff), 0))::int as "teachersRequired"
          from ${db.t(stageTable)} where base_year = ? and ${pathColumn} like ? and year <= ?
          group by year, stage) s) as stages,
       (select coalesce(sum(n), 0)::int from retiring) as "inPost",
       (select coalesce(json_agg(json_build_object('year', year, 'count', n)), '[]'::json) from retiring where year between ? and ?) as "byYear",
       exists (select 1 from ${db.t('forecast_rollup_shared')} sh
               join ${db.t('employment')} e on e.teacher_id = sh.teacher_id
               join ${db.t('org_scope')} o on o.org_id = e.org_id
               where sh.base_year = ? and ${activeOn('e')} and o.org_path like ?) as shared
     from st`,
    [baseYear, baseYear, `${unitPath}%`, baseYear, `${unitPath}%`, baseYear + years, baseYear + 1, baseYear + years, baseYear, on, on, `${unitPath}%`],
  );
  const row = result.rows[0] as { fresh: boolean; stages: StageYearRow[]; inPost: number; byYear: { year: number; count: number }[]; shared: boolean };
  if (!row.fresh) return null;
  return { stages: row.stages, inPost: row.inPost, byYear: new Map(row.byYear.map((r) => [r.year, r.count])), shared: row.shared };
}

/**
 * The forecast's figures for the subtree at `unitPath`: from the cache, refreshed first when a write
 * left it behind. The live queries answer when the base year is not cached yet (its first count then
 * runs in the background), when another refresh holds the cache (a first count can take long), when
 * a write keeps landing between the refresh and the read, and count the teachers when one is
 * employed in two units of the subtree.
 */
export async function forecastFigures(
  db: Db,
  unitPath: string,
  baseYear: number,
  years: number,
  onBackgroundError: (error: unknown) => void = () => undefined,
): Promise<ForecastFigures> {
  let cached = await readCache(db, unitPath, baseYear, years);
  if (!cached) {
    const [{ known }] = (await db.knex.raw(`select exists (select 1 from ${db.t('forecast_rollup_state')} where base_year = ?) as known`, [baseYear])).rows;
    if (!known) countBaseYearInBackground(db, baseYear, onBackgroundError);
    else if (await refreshForecastRollup(db, baseYear, { wait: false })) cached = await readCache(db, unitPath, baseYear, years);
  }
  if (!cached) {
    const [stages, retirements] = await Promise.all([projectStages(db, unitPath, baseYear, years), retirementsByYear(db, unitPath, baseYear, years)]);
    return { stages, ...retirements };
  }
  if (cached.shared) return { stages: cached.stages, ...(await retirementsByYear(db, unitPath, baseYear, years)) };
  return { stages: cached.stages, inPost: cached.inPost, byYear: cached.byYear };
}

/**
 * Teachers in post and retirements per year of several subtrees (a level of siblings), without
 * the stage projection: what the forecasts of a unit's siblings contribute when small retirements
 * are suppressed level by level (services/forecast-publication.ts). One statement per table read
 * for all of them from the cache; a subtree the cache cannot answer (not current, a teacher employed
 * in two of its units) is counted live.
 */
export async function retirementFiguresOfMany(db: Db, unitPaths: readonly string[], baseYear: number, years: number): Promise<Omit<ForecastFigures, 'stages'>[]> {
  const on = `${baseYear}-09-01`;
  const answers = new Map<string, Omit<ForecastFigures, 'stages'>>();
  for (const provinces of [true, false]) {
    const paths = unitPaths.filter((p) => PROVINCE_OR_ABOVE.test(p) === provinces);
    if (paths.length === 0) continue;
    const [table, pathColumn] = provinces ? ['forecast_retirement_province', 'province_path'] : ['forecast_retirement_rollup', 'org_path'];
    const result = await db.knex.raw(
      `with st as (
         select exists (select 1 from ${db.t('forecast_rollup_state')} where base_year = ?)
            and not exists (select 1 from ${db.t('forecast_rollup_dirty')}) as fresh
       ),
       units as (select path from unnest(?::text[]) as u(path)),
       -- Teachers employed in two units (usually none): read first, so an empty set costs nothing.
       shared_teachers as materialized (select teacher_id from ${db.t('forecast_rollup_shared')} where base_year = ?),
       -- One index range per unit (lateral): a join lets the planner read the whole base year.
       retiring as (
         select u.path, r.year, r.n
           from units u cross join lateral (
             select year, sum(teachers)::int as n from ${db.t(table)}
              where base_year = ? and ${inSubtreeSql(pathColumn, 'u.path')} group by year) r
       )
       select u.path, st.fresh,
         (select coalesce(sum(n), 0)::int from retiring where retiring.path = u.path) as "inPost",
         (select coalesce(json_agg(json_build_object('year', year, 'count', n)), '[]'::json) from retiring
           where retiring.path = u.path and year between ? and ?) as "byYear",
         exists (select 1 from shared_teachers sh
                 join ${db.t('employment')} e on e.teacher_id = sh.teacher_id
                 join ${db.t('org_scope')} o on o.org_id = e.org_id
                 where ${activeOn('e')} and ${inSubtreeSql('o.org_path', 'u.path')}) as shared
       from units u cross join st`,
      [baseYear, paths, baseYear, baseYear, baseYear + 1, baseYear + years, on, on],
    );
    for (const row of result.rows as { path: string; fresh: boolean; inPost: number; byYear: { year: number; count: number }[]; shared: boolean }[]) {
      if (row.fresh && !row.shared) answers.set(row.path, { inPost: row.inPost, byYear: new Map(row.byYear.map((r) => [r.year, r.count])) });
    }
  }
  return Promise.all(unitPaths.map(async (path) => answers.get(path) ?? retirementsByYear(db, path, baseYear, years)));
}
