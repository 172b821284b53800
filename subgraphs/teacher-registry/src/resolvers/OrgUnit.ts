import { badUserInput } from '../../../shared/src/errors';
import { SUPPRESSED_CODE, suppressesSmallCells } from '../../../shared/src/small-cells';
import { publishedBuckets, type Figure } from '../../../shared/src/hierarchy-publication';
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
    if (suppressesSmallCells(ctx.viewer)) return suppressedStatistics(unit, ctx);
    const rows = await ctx.loaders.headcountsByUnitId.load(unit.id);
    const status = buckets(rows, 'status', TEACHER_STATUS);
    const onQuota = buckets(rows, 'onQuota', ON_QUOTA_LABELS);
    return {
      activeTeachers: status.find((b) => b.code === 'active')?.count ?? 0,
      onQuota: onQuota.find((b) => b.code === 'true')?.count ?? 0,
      byStatus: status,
      byOnQuota: onQuota,
      byGender: buckets(rows, 'gender', GENDER),
      byStaffCategory: buckets(rows, 'staffCategory', STAFF_CATEGORY),
      byTitle: buckets(rows, 'title', TITLE),
      byEducationLevel: buckets(rows, 'educationLevel', EDUCATION_LEVEL),
      byStage: buckets(rows, 'stage', STAGE_LABELS),
      byLocale: buckets(rows, 'locale', LOCALE_LABELS),
      bySubject: buckets(rows, 'subject', null),
      byAgeBand: buckets(rows, 'ageBand', AGE_BAND_LABELS),
      byTitleAndAgeBand: titleAgeBandCells(rows).map((c) => ({ ...c, suppressed: false })),
      // Its own statement, run only when asked for (resolved below).
      unit,
      suppress: false,
    };
  },
};

/**
 * The statistics of viewers who may not see persons (analysts, system administrators): small
 * cells hidden, consistently with the unit's parent and siblings, so that no difference of
 * published figures singles anybody out (services/statistics-publication.ts).
 */
async function suppressedStatistics(unit: OrgUnitRow, ctx: Context) {
  const published = await ctx.loaders.statisticsPublication.publication(unit);
  const active = published.totals.get('active') as Figure;
  const publish = (name: string, set: CodeSet | null) =>
    publishedBuckets(published.dimensions.get(name), published.totals.get(name === 'status' ? 'all' : 'active') as Figure, (code) => label(set, code));
  const activeTeachers = active.hidden ? null : active.count;
  const onQuota = published.dimensions.get('onQuota')?.cells.get('true');
  const tab = published.dimensions.get('titleAgeBand');
  return {
    activeTeachers,
    // byOnQuota's `true` bucket: withheld when that bucket is (activeTeachers − onQuota would give back the rest).
    onQuota: activeTeachers === null ? null : !onQuota || onQuota.count === 0 ? 0 : onQuota.hidden ? null : onQuota.count,
    byStatus: publish('status', TEACHER_STATUS),
    byOnQuota: publish('onQuota', ON_QUOTA_LABELS),
    byGender: publish('gender', GENDER),
    byStaffCategory: publish('staffCategory', STAFF_CATEGORY),
    byTitle: publish('title', TITLE),
    byEducationLevel: publish('educationLevel', EDUCATION_LEVEL),
    byStage: publish('stage', STAGE_LABELS),
    byLocale: publish('locale', LOCALE_LABELS),
    bySubject: publish('subject', null),
    byAgeBand: publish('ageBand', AGE_BAND_LABELS),
    // A withheld table, or one of 1–4 people, is not listed at all: which cells hold people would say too much.
    byTitleAndAgeBand:
      !tab || tab.withheld || tab.empty || active.hidden
        ? []
        : titleAgeBandCells([...tab.cells].map(([key, f]) => ({ unitId: unit.id, dimension: 'titleAgeBand' as const, code: key, count: f.count })))
            .filter((c) => c.count > 0)
            .map((c) => {
              const hidden = tab.cells.get(`${c.rowCode ?? ''}|${c.columnCode}`)?.hidden ?? false;
              return { ...c, count: hidden ? null : c.count, suppressed: hidden };
            }),
    unit,
    suppress: true,
  };
}

/** Pay bands are a separate statement (teacher_pay), so they are read only when a client asks for them. */
export const OrgUnitStatistics = {
  byPayBand: async (stats: { unit: OrgUnitRow; suppress: boolean }, _: unknown, ctx: Context) => {
    const labelOfBand = (code: string | null) => (code == null ? '未填写' : payBandLabel(code));
    const byBand = (a: { code: string | null }, b: { code: string | null }) =>
      a.code === SUPPRESSED_CODE ? 1 : b.code === SUPPRESSED_CODE ? -1 : a.code == null ? 1 : b.code == null ? -1 : parseInt(a.code, 10) - parseInt(b.code, 10);
    if (stats.suppress) {
      const [bands, published] = await Promise.all([
        ctx.loaders.statisticsPublication.payBands(stats.unit),
        ctx.loaders.statisticsPublication.publication(stats.unit),
      ]);
      return publishedBuckets(bands, published.totals.get('active') as Figure, labelOfBand).sort(byBand);
    }
    const rows = await ctx.loaders.payBandsByUnitId.load(stats.unit.id);
    return rows.map((r) => ({ code: r.code, label: labelOfBand(r.code), count: r.count })).sort(byBand);
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
