import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { whereOrgInScope } from '../../../shared/src/org-scope';

export interface QuotaBalanceRow {
  orgId: string;
  approved: number;
  occupied: number;
}

export interface EmploymentRow {
  id: string;
  teacherId: string;
  orgId: string;
  onQuota: boolean;
  startsOn: string;
  endsOn: string | null;
}

/**
 * Approved quota and on-quota occupancy of each requested unit's whole subtree, in one set-based
 * statement: subtrees are path prefixes, so no teacher is loaded into memory. Units outside the
 * viewer's scope return no row.
 */
export async function quotaBalances(db: Db, viewer: Viewer, orgIds: readonly string[], year: number): Promise<QuotaBalanceRow[]> {
  const { knex } = db;
  // Occupancy is counted on 31 December, or today while the year is still running.
  const asOf = knex.raw('least(make_date(?::int, 12, 31), current_date)', [year]);
  const approved = knex(db.t('staffing_quota as q'))
    .join(db.t('org_scope as o'), 'o.org_id', 'q.org_id')
    .where('q.year', year)
    .andWhereRaw(`o.org_path like r.org_path || '%'`)
    .select(knex.raw('coalesce(sum(q.approved), 0)'));
  const occupied = knex(db.t('employment as e'))
    .join(db.t('org_scope as o'), 'o.org_id', 'e.org_id')
    .where('e.on_quota', true)
    .andWhere('e.starts_on', '<=', asOf)
    .andWhere((q) => q.whereNull('e.ends_on').orWhere('e.ends_on', '>=', asOf))
    .andWhereRaw(`o.org_path like r.org_path || '%'`)
    .select(knex.raw('count(*)'));
  const query = knex(db.t('org_scope as r'))
    .select('r.org_id as orgId', approved.as('approved'), occupied.as('occupied'))
    .whereIn('r.org_id', orgIds as string[]);
  return whereOrgInScope(query, 'r.org_path', viewer, { aggregate: true });
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findEmploymentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<EmploymentRow[]> {
  return db
    .knex(db.t('employment'))
    .select('id', 'teacher_id as teacherId', 'org_id as orgId', 'on_quota as onQuota', 'starts_on as startsOn', 'ends_on as endsOn')
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'starts_on', order: 'desc' }, { column: 'id' }]);
}
