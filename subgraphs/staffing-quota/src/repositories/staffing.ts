import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { hasAggregateScope, likePrefix } from '../../../shared/src/org-scope';
import { refreshQuotaRollup, sumQuotaRollup } from './quota-rollup';
import { schoolStandardSql } from './standards';

export interface QuotaBalanceRow {
  orgId: string;
  approved: number;
  occupied: number;
  standard: number;
  students: number;
}

export interface EmploymentRow {
  id: string;
  teacherId: string;
  orgId: string;
  onQuota: boolean;
  contractKind: string;
  startsOn: string;
  endsOn: string | null;
  version: number;
}

export const EMPLOYMENT_COLUMNS = [
  'id',
  'teacher_id as teacherId',
  'org_id as orgId',
  'on_quota as onQuota',
  'contract_kind as contractKind',
  'starts_on as startsOn',
  'ends_on as endsOn',
  'version',
];

/**
 * Approved quota, on-quota occupancy, enrolment and standard quota of each requested unit's whole
 * subtree, summed from the per-unit figures cache (repositories/quota-rollup.ts) in one statement:
 * at a million teachers a province or the nation is a sum over at most one row per unit instead of
 * counting employments and recomputing standards school by school. When a write, a new day or a new
 * year left the cache behind, it is brought up to date first (a constant number of statements,
 * whatever the number of units asked). Units outside the viewer's scope return no row.
 */
export async function quotaBalances(db: Db, viewer: Viewer, orgIds: readonly string[], year: number): Promise<QuotaBalanceRow[]> {
  if (!hasAggregateScope(viewer)) return [];
  const scope = likePrefix(viewer.orgPath);
  const current = await sumQuotaRollup(db, year, orgIds, scope);
  if (current) return current;
  await refreshQuotaRollup(db, year);
  return (await sumQuotaRollup(db, year, orgIds, scope)) ?? quotaBalancesLive(db, viewer, orgIds, year);
}

/**
 * The same figures computed from the base tables (the definition the cache follows): gathered once
 * per organisation under the requested units (index lookups per unit), then summed per requested
 * unit over its path prefix. Used when the cache was overtaken again right after its refresh.
 */
export async function quotaBalancesLive(db: Db, viewer: Viewer, orgIds: readonly string[], year: number): Promise<QuotaBalanceRow[]> {
  if (!hasAggregateScope(viewer)) return [];
  const scope = likePrefix(viewer.orgPath);
  const ids = [...orgIds];
  const standard = schoolStandardSql(db, year, scope, ids);
  // Occupancy is counted on 31 December, or today while the year is still running.
  const result = await db.knex.raw(
    `with school_standard as (${standard.sql}),
     figures as (
       select o.org_path,
         coalesce((select q.approved from ${db.t('staffing_quota')} q where q.org_id = o.org_id and q.year = ?), 0) as approved,
         (select count(*) from ${db.t('employment')} e
           where e.org_id = o.org_id and e.on_quota
             and e.starts_on <= least(make_date(?, 12, 31), current_date)
             and (e.ends_on is null or e.ends_on >= least(make_date(?, 12, 31), current_date))) as occupied,
         coalesce(s.standard, 0) as standard,
         coalesce(s.students, 0) as students
       from ${db.t('org_scope')} o
       left join school_standard s on s.org_id = o.org_id
       where o.org_path like ?
         and exists (select 1 from ${db.t('org_scope')} u where u.org_id = any(?) and o.org_path like u.org_path || '%')
     )
     select r.org_id as "orgId", sum(f.approved)::int as approved, sum(f.occupied)::int as occupied,
       sum(f.standard)::int as standard, sum(f.students)::int as students
     from ${db.t('org_scope')} r
     join figures f on f.org_path like r.org_path || '%'
     where r.org_id = any(?) and r.org_path like ?
     group by r.org_id`,
    [...standard.bindings, year, year, year, scope, ids, ids, scope],
  );
  return result.rows;
}

/**
 * Versions of the units' own approved-quota rows (not their subtrees) for the requested (unit, year)
 * pairs within the viewer's aggregate scope, in one statement: what a client sends back as
 * `version` to setApprovedQuota. A pair with no approved quota (or outside the scope) has no row.
 */
export async function approvedQuotaVersions(db: Db, viewer: Viewer, keys: readonly { orgId: string; year: number }[]): Promise<{ orgId: string; year: number; version: number }[]> {
  if (!hasAggregateScope(viewer) || keys.length === 0) return [];
  const placeholders = keys.map(() => '(?, ?::smallint)').join(', ');
  const result = await db.knex.raw(
    `select q.org_id as "orgId", q.year, q.version
     from ${db.t('staffing_quota')} q join ${db.t('org_scope')} o on o.org_id = q.org_id
     where (q.org_id, q.year) in (${placeholders}) and o.org_path like ?`,
    [...keys.flatMap((k) => [k.orgId, k.year]), likePrefix(viewer.orgPath)],
  );
  return result.rows;
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findEmploymentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<EmploymentRow[]> {
  return db
    .knex(db.t('employment'))
    .select(EMPLOYMENT_COLUMNS)
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'starts_on', order: 'desc' }, { column: 'id' }]);
}

/** The teacher's employment in force on a date, if any. */
export async function activeEmployment(knex: Knex | Knex.Transaction, db: Db, teacherId: string, on: string): Promise<EmploymentRow | undefined> {
  return knex(db.t('employment'))
    .select(EMPLOYMENT_COLUMNS)
    .where('teacher_id', teacherId)
    .andWhere('starts_on', '<=', on)
    .andWhere((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', on))
    .orderBy('starts_on', 'desc')
    .first();
}

/** Approved quota and on-quota staff of one unit (not its subtree) on a date: the transfer check. */
export async function unitQuotaOn(trx: Knex.Transaction, db: Db, orgId: string, on: string): Promise<{ approved: number | null; occupied: number }> {
  const year = Number(on.slice(0, 4));
  // Lock the quota row so two transfers into the same unit cannot both take the last place.
  const quota = await trx(db.t('staffing_quota')).select('approved').where({ org_id: orgId, year }).forUpdate().first();
  const counted = (await trx(db.t('employment'))
    .count('* as count')
    .where({ org_id: orgId, on_quota: true })
    .andWhere('starts_on', '<=', on)
    .andWhere((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', on))) as { count: number | string }[];
  return { approved: quota ? Number(quota.approved) : null, occupied: Number(counted[0]?.count ?? 0) };
}

export interface EnrolmentRowDb {
  orgId: string;
  year: number;
  stage: string;
  grade: number;
  students: number;
  classes: number;
  boarders: number;
}

/** Enrolment rows of the requested (school, year) pairs within the viewer's aggregate scope. */
export async function findEnrolments(db: Db, viewer: Viewer, keys: readonly { orgId: string; year: number }[]) {
  if (!hasAggregateScope(viewer) || keys.length === 0) return { rows: [] as EnrolmentRowDb[], versions: [] as { orgId: string; year: number; version: number }[] };
  const pairs = keys.map((k) => [k.orgId, k.year]);
  const placeholders = pairs.map(() => '(?, ?::smallint)').join(', ');
  const bindings = pairs.flat();
  const scope = likePrefix(viewer.orgPath);
  const rows: EnrolmentRowDb[] = (
    await db.knex.raw(
      `select e.org_id as "orgId", e.year, e.stage, e.grade, e.students, e.classes, e.boarders
       from ${db.t('enrolment')} e join ${db.t('org_scope')} o on o.org_id = e.org_id
       where (e.org_id, e.year) in (${placeholders}) and o.org_path like ?
       order by e.stage, e.grade`,
      [...bindings, scope],
    )
  ).rows;
  const versions: { orgId: string; year: number; version: number }[] = (
    await db.knex.raw(
      `select v.org_id as "orgId", v.year, v.version from ${db.t('enrolment_version')} v join ${db.t('org_scope')} o on o.org_id = v.org_id
       where (v.org_id, v.year) in (${placeholders}) and o.org_path like ?`,
      [...bindings, scope],
    )
  ).rows;
  return { rows, versions };
}
