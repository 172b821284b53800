import { badUserInput } from '../../../shared/src/errors';
import { publishedTotal, suppressSmallCells, suppressSmallCrossTabCells, suppressesSmallCells } from '../../../shared/src/small-cells';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { EDUCATION_LEVEL, GENDER, STAFF_CATEGORY, TEACHER_STATUS, TITLE, labelOf, type CodeSet } from '../domain/code-sets';
import { ancestorIds, listDescendants, type OrgUnitRow } from '../repositories/org-units';
import type { HeadcountRow } from '../repositories/teachers';
import { teacherPage, type TeacherFilterArgs } from './Query';
import { payBandLabel } from '../services/pay';

const labels = (standard: string, entries: [string, string][]): CodeSet => ({ standard, values: new Map(entries) });
const STAGE_LABELS = labels('学段', [
  ['kindergarten', '学前教育'], ['primary', '小学'], ['junior_secondary', '初中'], ['senior_secondary', '高中'],
  ['nine_year', '九年一贯制'], ['complete_secondary', '完全中学'], ['vocational', '中等职业教育'],
]);
const LOCALE_LABELS = labels('城乡分类', [['urban', '城区'], ['county_town', '镇区'], ['rural', '乡村']]);
const AGE_BAND_LABELS = labels('年龄段', [['under_30', '30岁以下'], ['30_39', '30–39岁'], ['40_49', '40–49岁'], ['50_and_over', '50岁及以上']]);
const ON_QUOTA_LABELS = labels('是否在编', [['true', '在编'], ['false', '不在编']]);
const label = (set: CodeSet | null, code: string | null) => (code == null ? '未填写' : ((set && labelOf(set, code)) ?? code));

/** Title × age band cells from the `titleAgeBand` rows (code `<title>|<band>`, empty title = not recorded). */
function titleAgeBandCells(rows: HeadcountRow[]) {
  return rows
    .filter((r) => r.dimension === 'titleAgeBand' && r.code != null)
    .map((r) => {
      const [title, band] = (r.code as string).split('|') as [string, string];
      const rowCode = title === '' ? null : title;
      return { rowCode, rowLabel: label(TITLE, rowCode), columnCode: band, columnLabel: label(AGE_BAND_LABELS, band), count: r.count };
    })
    .sort((a, b) => (a.rowCode ?? '~').localeCompare(b.rowCode ?? '~') || a.columnCode.localeCompare(b.columnCode));
}

const buckets = (rows: HeadcountRow[], dimension: HeadcountRow['dimension'], set: CodeSet | null) =>
  rows
    .filter((r) => r.dimension === dimension)
    .map((r) => ({ code: r.code, label: label(set, r.code), count: r.count }))
    .sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~'));

export const OrgUnit = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.orgUnitById.load(ref.id),
  parent: (unit: OrgUnitRow, _: unknown, ctx: Context) => (unit.parentId ? ctx.loaders.orgUnitById.load(unit.parentId) : null),
  ancestors: async (unit: OrgUnitRow, _: unknown, ctx: Context) => {
    const rows = await ctx.loaders.orgUnitById.loadMany(ancestorIds(unit.path));
    return rows.filter((row): row is OrgUnitRow => row !== null && !(row instanceof Error));
  },
  children: (unit: OrgUnitRow, _: unknown, ctx: Context) => ctx.loaders.orgUnitsByParentId.load(unit.id),
  school: (unit: OrgUnitRow) =>
    unit.level === 'school' ? { stage: unit.schoolStage, locale: unit.locale, isPublic: unit.isPublic } : null,
  teachers: (unit: OrgUnitRow, args: PageArgs & { filter?: TeacherFilterArgs | null }, ctx: Context) => {
    const { orgUnitId, ...filter } = args.filter ?? {};
    if (orgUnitId != null) throw badUserInput('filter.orgUnitId', 'is implied by the unit on OrgUnit.teachers; leave it out');
    return teacherPage(ctx, unit.path, args, filter);
  },
  descendants: async (unit: OrgUnitRow, args: PageArgs & { nameContains?: string | null; level?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const afterPath = decodeCursor(args.after);
    if (args.nameContains != null && (args.nameContains.trim() === '' || [...args.nameContains].length > 50)) {
      throw badUserInput('nameContains', 'must be 1 to 50 characters');
    }
    const rows = await listDescendants(ctx.db, unit.path, { nameContains: args.nameContains?.trim(), level: args.level, limit, afterPath });
    for (const row of rows) ctx.loaders.orgUnitById.prime(row.id, row);
    return toConnection(rows, limit, (r) => r.path, async () => 0);
  },
  statistics: async (unit: OrgUnitRow, _: unknown, ctx: Context) => {
    const rows = await ctx.loaders.headcountsByUnitId.load(unit.id);
    const suppress = suppressesSmallCells(ctx.viewer);
    const status = buckets(rows, 'status', TEACHER_STATUS);
    const onQuota = buckets(rows, 'onQuota', ON_QUOTA_LABELS);
    const active = status.find((b) => b.code === 'active')?.count ?? 0;
    const onQuotaCount = onQuota.find((b) => b.code === 'true')?.count ?? 0;
    // Viewers who may not see persons get small cells merged away, and totals of 1–4 withheld.
    const publish = suppress ? (b: ReturnType<typeof buckets>) => suppressSmallCells(b) : (b: ReturnType<typeof buckets>) => b;
    const activeTeachers = suppress ? publishedTotal(active) : active;
    const byOnQuota = publish(onQuota);
    return {
      activeTeachers,
      // On quota is byOnQuota's `true` bucket; when that bucket is merged away, the exact figure
      // would give back the small off-quota group (activeTeachers − onQuota), so it is withheld.
      onQuota: !suppress ? onQuotaCount : activeTeachers === null ? null : onQuotaCount === 0 ? 0 : (byOnQuota.find((b) => b.code === 'true')?.count ?? null),
      // byStatus sums every teacher; its `active` bucket is known anyway (every other breakdown adds
      // up to it), so it never joins the merged bucket, which would then give back the rest.
      byStatus: suppress ? suppressSmallCells(status, undefined, (b) => b.code === 'active' && activeTeachers !== null) : status,
      byOnQuota,
      byGender: publish(buckets(rows, 'gender', GENDER)),
      byStaffCategory: publish(buckets(rows, 'staffCategory', STAFF_CATEGORY)),
      byTitle: publish(buckets(rows, 'title', TITLE)),
      byEducationLevel: publish(buckets(rows, 'educationLevel', EDUCATION_LEVEL)),
      byStage: publish(buckets(rows, 'stage', STAGE_LABELS)),
      byLocale: publish(buckets(rows, 'locale', LOCALE_LABELS)),
      bySubject: publish(buckets(rows, 'subject', null)),
      byAgeBand: publish(buckets(rows, 'ageBand', AGE_BAND_LABELS)),
      byTitleAndAgeBand: suppress ? suppressSmallCrossTabCells(titleAgeBandCells(rows)) : titleAgeBandCells(rows).map((c) => ({ ...c, suppressed: false })),
      // Its own statement, run only when asked for (resolved below).
      unitId: unit.id,
      suppress,
    };
  },
};

/** Pay bands are a separate statement (teacher_pay), so they are read only when a client asks for them. */
export const OrgUnitStatistics = {
  byPayBand: async (stats: { unitId: string; suppress: boolean }, _: unknown, ctx: Context) => {
    const rows = await ctx.loaders.payBandsByUnitId.load(stats.unitId);
    const bands = rows
      .map((r) => ({ code: r.code, label: r.code == null ? '未填写' : payBandLabel(r.code), count: r.count }))
      .sort((a, b) => (a.code == null ? 1 : b.code == null ? -1 : parseInt(a.code, 10) - parseInt(b.code, 10)));
    return stats.suppress ? suppressSmallCells(bands) : bands;
  },
};

/** Database values behind the GraphQL enums. */
export const OrgLevel = { NATIONAL: 'national', PROVINCE: 'province', CITY: 'city', COUNTY: 'county', SCHOOL: 'school' };
export const SchoolStage = {
  KINDERGARTEN: 'kindergarten',
  PRIMARY: 'primary',
  JUNIOR_SECONDARY: 'junior_secondary',
  SENIOR_SECONDARY: 'senior_secondary',
  NINE_YEAR: 'nine_year',
  COMPLETE_SECONDARY: 'complete_secondary',
  VOCATIONAL: 'vocational',
};
export const Locale = { URBAN: 'urban', COUNTY_TOWN: 'county_town', RURAL: 'rural' };
