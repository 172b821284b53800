import { drainDirtyMarks } from '../../../shared/src/dirty-marks';
import type { Db } from '../../../shared/src/db';
import { levelOfOrgCode, type Viewer } from '../../../shared/src/identity';
import type { Knex } from 'knex';
import { hasAggregateScope, likePrefix, whereOrgInScope } from '../../../shared/src/org-scope';
import { PAY_BAND_SQL } from '../services/pay';
import { recountSchoolsAndProvincesSql } from '../db/migrations/20261130500100_pay_band_rollup_provinces';

export interface PayBandRow {
  unitId: string;
  /** `5000_5999`, `15000_and_over`, or null for active teachers with no pay in force today. */
  code: string | null;
  count: number;
}

/**
 * Active teachers of several subtrees by the band of their total monthly pay (basic + allowances)
 * in force today, from the rollup (migrations 20261129400100, 20261130500100): the schools that
 * writes marked dirty, or whose pay took effect since the rollup's day, are recounted first. The
 * nation and provinces, asked by a viewer scoped to a province or wider, sum the province rows (32
 * per band nationally); other units, or a narrower viewer, sum the school rows of the subtree.
 * Scoped like the headcounts: aggregates only. Gives the same numbers as `payBandsByUnitLive`.
 */
export async function payBandsByUnit(db: Db, viewer: Viewer, unitIds: readonly string[]): Promise<PayBandRow[]> {
  const units: { id: string; path: string }[] = await db.knex(db.t('org_unit')).select('id', 'path').whereIn('id', unitIds as string[]);
  if (units.length === 0 || !hasAggregateScope(viewer)) return [];
  await refreshPayBandRollup(db);
  const wide = (code: string | undefined) => ['national', 'province'].includes(levelOfOrgCode(code ?? '') ?? '');
  const wideScope = wide(viewer.orgPath.split('/').filter(Boolean).at(-1));
  const top = wideScope ? units.filter((u) => wide(u.id)) : [];
  const branches: Knex.QueryBuilder[] = units
    .filter((unit) => !top.includes(unit))
    .map((unit) =>
      whereOrgInScope(
        db
          .knex(db.t('pay_band_rollup'))
          .select(db.knex.raw('?::text as "unitId"', [unit.id]), 'code', db.knex.raw('sum(count)::int as count'))
          .whereRaw('school_path like ?', [likePrefix(unit.path)])
          .groupBy('code')
          .havingRaw('sum(count) > 0'),
        'school_path',
        viewer,
        { aggregate: true },
      ),
    );
  if (top.length > 0) {
    branches.push(
      whereOrgInScope(
        db
          .knex(`${db.t('org_unit')} as u`)
          .join(`${db.t('pay_band_rollup_province')} as p`, db.knex.raw(`p.province_path like u.path || '%'`))
          .select(db.knex.raw('u.id::text as "unitId"'), 'p.code', db.knex.raw('sum(p.count)::int as count'))
          .whereIn('u.id', top.map((u) => u.id))
          .groupBy('u.id', 'p.code')
          .havingRaw('sum(p.count) > 0'),
        'p.province_path',
        viewer,
        { aggregate: true },
      ),
    );
  }
  return (await (branches.length === 1 ? (branches[0] as Knex.QueryBuilder) : db.knex.unionAll(branches, true))) as PayBandRow[];
}

/**
 * Brings the rollup up to date: a cheap check first (nothing dirty, same day: nothing to do); on a
 * new day, one short transaction holding the state row's lock marks the schools whose pay took
 * effect since; then the dirty schools are recounted in chunks (drainDirtyMarks).
 */
export const PAY_ROLLUP_CHUNK = 500;

export async function refreshPayBandRollup(db: Db): Promise<void> {
  const [check] = (
    await db.knex.raw(`select (select as_of < current_date from ?? where id = 1) as stale, exists (select 1 from ??) as dirty`, [
      db.t('pay_band_rollup_state'),
      db.t('pay_band_dirty'),
    ])
  ).rows as { stale: boolean; dirty: boolean }[];
  if (!check?.stale && !check?.dirty) return;
  if (check.stale) {
    await db.knex.transaction(async (trx) => {
      const [state] = (await trx.raw(`select as_of::text as "asOf", as_of < current_date as stale from ?? where id = 1 for update`, [db.t('pay_band_rollup_state')])).rows;
      if (!state.stale) return;
      await trx.raw(
        `insert into ?? (school_id) select distinct t.school_id from ?? p join ?? t on t.id = p.teacher_id
          where p.effective_from > ?::date and p.effective_from <= current_date on conflict do nothing`,
        [db.t('pay_band_dirty'), db.t('teacher_pay'), db.t('teacher'), state.asOf],
      );
      await trx.raw(`update ?? set as_of = current_date where id = 1`, [db.t('pay_band_rollup_state')]);
    });
  }
  // The schools' rows replaced and their provinces' sums moved by the difference, in one statement.
  await drainDirtyMarks(db, {
    table: 'pay_band_dirty',
    column: 'school_id',
    chunk: PAY_ROLLUP_CHUNK,
    recount: (trx, schools) => trx.raw(recountSchoolsAndProvincesSql(db.schema, 't.school_id = any(?)'), [schools, schools]),
  });
}

/** The same figures straight from the teachers and their pay rows (the rollup's reference). */
export async function payBandsByUnitLive(db: Db, viewer: Viewer, unitIds: readonly string[]): Promise<PayBandRow[]> {
  const units: { id: string; path: string }[] = await db.knex(db.t('org_unit')).select('id', 'path').whereIn('id', unitIds as string[]);
  if (units.length === 0) return [];
  return (await payBandsQuery(db, viewer, units)) as PayBandRow[];
}

/**
 * The statement itself (exported for scripts/measure-pay-bands.ts, which explains it): one branch
 * per unit with its path as a constant prefix, so the planner sees how many teachers each subtree
 * holds (a join on `u.path || '%'` looked like a handful of rows and drove nested loops over a
 * whole country); "the row in force" is a join plus an anti-join (no later row in force), which the
 * planner can hash for a province or probe through the index for a county.
 */
export function payBandsQuery(db: Db, viewer: Viewer, units: readonly { id: string; path: string }[]) {
  const knex = db.knex;
  const branch = (unit: { id: string; path: string }) => {
    const query = knex(`${db.t('teacher')} as t`)
      .joinRaw(
        `left join ${db.t('teacher_pay')} p on p.teacher_id = t.id and p.effective_from <= current_date
           and not exists (select 1 from ${db.t('teacher_pay')} q where q.teacher_id = p.teacher_id and q.effective_from <= current_date
                            and (q.effective_from, q.created_at, q.id) > (p.effective_from, p.created_at, p.id))`,
      )
      .whereRaw('t.org_path like ?', [likePrefix(unit.path)])
      .where('t.status', 'active')
      .select(knex.raw('?::text as "unitId"', [unit.id]), knex.raw(`${PAY_BAND_SQL('p.basic_monthly_pay + p.monthly_allowances')} as code`), knex.raw('count(*)::int as count'))
      .groupBy('code');
    return whereOrgInScope(query, 't.org_path', viewer, { aggregate: true });
  };
  const branches = units.map(branch);
  return branches.length === 1 ? (branches[0] as Knex.QueryBuilder) : knex.unionAll(branches, true);
}
