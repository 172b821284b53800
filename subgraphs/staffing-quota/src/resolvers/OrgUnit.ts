import { badUserInput } from '../../../shared/src/errors';
import type { Context } from '../context';
import { todayIso } from '../domain/codes';
import { unitYearKey, type EnrolmentBundle } from '../loaders';
import type { PostPlanRow } from '../repositories/posts';
import type { MobilityRow } from '../repositories/mobility';
import { suppressesSmallCells } from '../../../shared/src/small-cells';
import { publishedBuckets, type Figure } from '../../../shared/src/hierarchy-publication';

const MOBILITY_LABELS: Record<string, string> = {
  new_hire: '新招聘', transfer_within_province: '省内调动', transfer_across_provinces: '跨省调动', leave: '离职', retire: '退休',
  in: '调入', out: '调出', within: '区域内调动',
  exchange: '交流', support_teaching: '支教', itinerant: '走教', planned: '已安排', completed: '已完成',
};

/**
 * Mobility of a subtree in a year, in the statistics shape every subgraph shares (HeadcountBucket).
 * Viewers who may not see persons (a transfer is one person) get small cells suppressed, decided
 * level by level with the unit's parent and siblings (services/mobility-publication.ts).
 */
export async function mobilityOf(ctx: Context, orgId: string, year: number) {
  const rows = await ctx.loaders.mobilityByOrgId(year).load(orgId);
  if (!rows.some((r) => r.dimension === 'unit')) return null;
  const exact = (dimension: MobilityRow['dimension']) =>
    rows
      .filter((r) => r.dimension === dimension)
      .map((r) => ({ code: r.code, label: MOBILITY_LABELS[r.code] ?? r.code, count: r.count }))
      .sort((a, b) => a.code.localeCompare(b.code));
  const sum = (dimension: MobilityRow['dimension']) => rows.filter((r) => r.dimension === dimension).reduce((s, r) => s + r.count, 0);
  if (!suppressesSmallCells(ctx.viewer)) {
    return {
      year,
      transfers: sum('transferDirection'),
      rotations: sum('rotationKind'),
      byTransferKind: exact('transferKind'),
      byTransferDirection: exact('transferDirection'),
      byRotationKind: exact('rotationKind'),
      byRotationStatus: exact('rotationStatus'),
    };
  }
  const node = await ctx.loaders.orgTree.unit(orgId);
  if (!node) return null;
  const published = await ctx.loaders.mobilityPublication(year).publication(node);
  const total = (name: string) => published.totals.get(name) as Figure;
  const buckets = (dimension: string, totalName: string) =>
    publishedBuckets(published.dimensions.get(dimension), total(totalName), (code) => (code == null ? '' : (MOBILITY_LABELS[code] ?? code)));
  const shown = (name: string) => (total(name).hidden ? null : total(name).count);
  return {
    year,
    transfers: shown('transfers'),
    rotations: shown('rotations'),
    byTransferKind: buckets('transferKind', 'transfers'),
    byTransferDirection: buckets('transferDirection', 'transfers'),
    byRotationKind: buckets('rotationKind', 'rotations'),
    byRotationStatus: buckets('rotationStatus', 'rotations'),
  };
}

export function checkYear(year: number, name = 'year') {
  if (!Number.isInteger(year) || year < 1949 || year > 2100) throw badUserInput(name, 'must be between 1949 and 2100');
}

export const orgRef = (id: string | null | undefined) => (id ? { __typename: 'OrgUnit', id } : null);

/**
 * A unit's subtree balance for a year, through the per-year loader (one statement per page of units).
 * On-quota staff are teachers counted: the registry alone publishes that count to viewers who may
 * not see persons (statistics.onQuota, decided with its parent and siblings), so for them
 * `occupied` and the figures computed from it are null (README, Statistics).
 */
export async function balanceOf(ctx: Context, orgId: string, year: number) {
  const row = await ctx.loaders.quotaBalanceByOrgId(year).load(orgId);
  if (!row) return null;
  const counted = !suppressesSmallCells(ctx.viewer);
  return {
    // Kept for StaffingQuotaBalance.version, which reads the unit's own quota row.
    orgId,
    year,
    approved: row.approved,
    occupied: counted ? row.occupied : null,
    balance: counted ? row.approved - row.occupied : null,
    students: row.students,
    standard: row.standard,
    standardGap: counted ? row.standard - row.occupied : null,
  };
}

/** Post slots of a unit: the appointments in force are teachers counted, withheld like `occupied` above. */
export function publishedSlots(ctx: Context, ceiling: number, occupied: number) {
  const free = Math.max(0, ceiling - occupied);
  const counted = !suppressesSmallCells(ctx.viewer);
  return { ceiling, occupied: counted ? occupied : null, free: counted ? free : null, hasFreeSlot: free > 0 };
}

export const OrgUnit = {
  // Organisation references are resolved lazily: each field applies the viewer's scope.
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  staffingQuota: (unit: { id: string }, args: { year: number }, ctx: Context) => {
    checkYear(args.year);
    return balanceOf(ctx, unit.id, args.year);
  },
  mobilityStatistics: (unit: { id: string }, args: { year: number }, ctx: Context) => {
    checkYear(args.year);
    return mobilityOf(ctx, unit.id, args.year);
  },
  enrolment: (unit: { id: string }, args: { year: number }, ctx: Context) => {
    checkYear(args.year);
    return ctx.loaders.enrolmentByUnitYear.load(unitYearKey(unit.id, args.year));
  },
  postPlan: (unit: { id: string }, args: { year: number }, ctx: Context) => {
    checkYear(args.year);
    return ctx.loaders.postPlanByUnitYear.load(unitYearKey(unit.id, args.year));
  },
  // Argument-free so that evaluation's title review can read it through @requires.
  freePostSlots: async (unit: { id: string }, _: unknown, ctx: Context) => {
    const rows = await ctx.loaders.slotsTodayByOrgId.load(unit.id);
    if (!rows) return null;
    const on = todayIso();
    return rows
      .filter((r) => r.category !== null && r.grade !== null)
      .map((r) => ({ unit: orgRef(unit.id), category: r.category, grade: r.grade, on, ...publishedSlots(ctx, r.ceiling, r.occupied) }));
  },
};

export const StaffingQuotaBalance = {
  // Only reached for a balance the viewer may see (balanceOf answers null outside the scope); the
  // loader applies the same scope in SQL and batches a page of units into one statement.
  version: (b: { orgId: string; year: number }, _: unknown, ctx: Context) => ctx.loaders.quotaVersionByUnitYear.load(unitYearKey(b.orgId, b.year)),
};

export const SchoolEnrolment = {
  school: (e: EnrolmentBundle) => orgRef(e.orgId),
  students: (e: EnrolmentBundle) => e.rows.reduce((sum, r) => sum + r.students, 0),
  classes: (e: EnrolmentBundle) => e.rows.reduce((sum, r) => sum + r.classes, 0),
  boarders: (e: EnrolmentBundle) => e.rows.reduce((sum, r) => sum + r.boarders, 0),
};

export const PostPlanEntry = {
  unit: (p: PostPlanRow) => orgRef(p.orgId),
};
