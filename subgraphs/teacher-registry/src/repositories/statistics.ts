import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { whereOrgInScope } from '../../../shared/src/org-scope';
import { PAY_BAND_SQL } from '../services/pay';

export interface PayBandRow {
  unitId: string;
  /** `5000_5999`, `15000_and_over`, or null for active teachers with no pay in force today. */
  code: string | null;
  count: number;
}

/**
 * Active teachers of several subtrees by the band of their total monthly pay (basic + allowances)
 * in force today: the latest row effective on or before today, one index probe per teacher
 * (teacher_pay (teacher_id, effective_from)). Scoped like the headcounts: aggregates only.
 */
export async function payBandsByUnit(db: Db, viewer: Viewer, unitIds: readonly string[]): Promise<PayBandRow[]> {
  const knex = db.knex;
  const current = knex(db.t('teacher_pay'))
    .select(knex.raw('basic_monthly_pay + monthly_allowances as total'))
    .whereRaw('teacher_id = t.id and effective_from <= current_date')
    .orderBy([{ column: 'effective_from', order: 'desc' }, { column: 'created_at', order: 'desc' }])
    .limit(1);
  const query = knex(`${db.t('org_unit')} as u`)
    .join(`${db.t('teacher')} as t`, knex.raw("t.org_path like u.path || '%'"))
    .joinRaw(`left join lateral (${current.toString()}) p on true`)
    .whereIn('u.id', unitIds as string[])
    .where('t.status', 'active')
    .select('u.id as unitId', knex.raw(`${PAY_BAND_SQL('p.total')} as code`), knex.raw('count(*)::int as count'))
    .groupBy('u.id', 'code');
  whereOrgInScope(query, 't.org_path', viewer, { aggregate: true });
  return (await query) as PayBandRow[];
}
