import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import type { Knex } from 'knex';
import { likePrefix, whereOrgInScope } from '../../../shared/src/org-scope';
import { PAY_BAND_SQL } from '../services/pay';

export interface PayBandRow {
  unitId: string;
  /** `5000_5999`, `15000_and_over`, or null for active teachers with no pay in force today. */
  code: string | null;
  count: number;
}

/**
 * Active teachers of several subtrees by the band of their total monthly pay (basic + allowances)
 * in force today: the latest row effective on or before today (ties: the later entry). Scoped like
 * the headcounts: aggregates only.
 */
export async function payBandsByUnit(db: Db, viewer: Viewer, unitIds: readonly string[]): Promise<PayBandRow[]> {
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
