import { badUserInput } from '../../../shared/src/errors';
import { levelOfOrgCode } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { hasAggregateScope, hasOrgScope, isWithinPath } from '../../../shared/src/org-scope';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { MAX_GRADE, provinceOfPath, todayIso, type PostCategoryValue } from '../domain/codes';
import { forecastFigures } from '../repositories/forecast-rollup';
import { MIN_CELL_SIZE, suppressesSmallCells } from '../../../shared/src/small-cells';
import { findOrgsByIds } from '../repositories/orgs';
import { slotCounts } from '../repositories/posts';
import { eligibleCandidates, PLAN_COLUMNS, rotationParameters, type PlanRow } from '../repositories/rotation';
import { extraRulesInForce, standardsInForce } from '../repositories/standards';
import { countTransfers, listTransfers, type TransferRow } from '../repositories/transfers';
import { checkYear, orgRef, publishedSlots } from './OrgUnit';

const provinceArg = (code: string | null | undefined) => {
  if (code == null) return null;
  if (!/^\d{2}0000$/.test(code)) throw badUserInput('provinceCode', 'must be a six-digit province code such as 420000');
  return code;
};

/** A unit the viewer may read: person-level reads need org scope, aggregates also admit analysts. */
async function readableUnit(ctx: Context, id: string, options: { aggregate: boolean }) {
  const [unit] = await findOrgsByIds(ctx.db, [id]);
  const allowed = options.aggregate ? hasAggregateScope(ctx.viewer) : hasOrgScope(ctx.viewer);
  return unit && allowed && isWithinPath(unit.path, ctx.viewer.orgPath) ? unit : null;
}

const transferCursor = (t: TransferRow) => `${t.createdAtKey ?? new Date(t.createdAt).toISOString()}|${t.id}`;
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[ T][\d:.]+([+-]\d{2}(:?\d{2})?|Z)?$/;

export const Query = {
  staffingStandards: (_: unknown, args: { on?: string | null; provinceCode?: string | null }, ctx: Context) =>
    standardsInForce(ctx.db, args.on ?? todayIso(), provinceArg(args.provinceCode)),
  staffingExtraRules: (_: unknown, args: { on?: string | null; provinceCode?: string | null }, ctx: Context) =>
    extraRulesInForce(ctx.db, args.on ?? todayIso(), provinceArg(args.provinceCode)),

  postSlotAvailability: async (_: unknown, args: { orgUnitId: string; category: PostCategoryValue; grade: number; on?: string | null }, ctx: Context) => {
    // An SDL default bypasses the enum's value mapping, so the default arrives as the enum name.
    const category = args.category.toLowerCase() as PostCategoryValue;
    const max = MAX_GRADE[category];
    if (!Number.isInteger(args.grade) || args.grade < 1 || args.grade > max) throw badUserInput('grade', `${category} posts have grades 1–${max}`);
    const on = args.on ?? todayIso();
    const unit = await readableUnit(ctx, args.orgUnitId, { aggregate: false });
    if (!unit) return null;
    const { ceiling, occupied } = await slotCounts(ctx.db.knex, ctx.db, { orgId: unit.id, category, grade: args.grade, on });
    return { unit: orgRef(unit.id), category, grade: args.grade, on, ...publishedSlots(ctx, ceiling, occupied) };
  },

  transfer: (_: unknown, args: { id: string }, ctx: Context) => {
    const id = normaliseUuid(args.id);
    return id ? ctx.loaders.transferById.load(id) : null;
  },
  transfers: async (_: unknown, args: PageArgs & { status?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const cursor = decodeCursor(args.after);
    let after: { createdAt: string; id: string } | null = null;
    if (cursor !== null) {
      const [createdAt, id] = cursor.split('|');
      if (!createdAt || !id || !normaliseUuid(id) || !TIMESTAMP_TEXT.test(createdAt)) throw badUserInput('after', 'is not a cursor returned by this API');
      after = { createdAt, id };
    }
    const status = args.status ?? null;
    const rows = await listTransfers(ctx.db, ctx.viewer, { status, limit, after });
    for (const row of rows) ctx.loaders.transferById.prime(row.id, row);
    return toConnection(rows, limit, transferCursor, () => countTransfers(ctx.db, ctx.viewer, status));
  },

  rotationEligibility: async (_: unknown, args: { countyId: string; year: number }, ctx: Context) => {
    checkYear(args.year);
    if (levelOfOrgCode(args.countyId) !== 'county') throw badUserInput('countyId', 'must be a county code (rotation is organised per county)');
    const county = await readableUnit(ctx, args.countyId, { aggregate: false });
    if (!county) return null;
    const parameters = await rotationParameters(ctx.db.knex, ctx.db, provinceOfPath(county.path) ?? '', args.year);
    if (!parameters) return null;
    const candidates = await eligibleCandidates(ctx.db.knex, ctx.db, county.path, args.year, parameters);
    return {
      county: orgRef(county.id),
      year: args.year,
      parameters,
      eligibleCount: candidates.length,
      eligibleFromUrbanOrHighQuality: candidates.filter((c) => c.fromUrbanOrHighQualitySchool).length,
      candidates,
    };
  },
  rotationPlan: async (_: unknown, args: { countyId: string; year: number }, ctx: Context) => {
    checkYear(args.year);
    const county = await readableUnit(ctx, args.countyId, { aggregate: false });
    if (!county) return null;
    const plan = (await ctx.db.knex(ctx.db.t('rotation_plan')).select(PLAN_COLUMNS).where({ county_id: county.id, year: args.year }).first()) as PlanRow | undefined;
    return plan ?? null;
  },

  staffingDemandForecast: async (_: unknown, args: { orgUnitId: string; baseYear: number; years?: number | null }, ctx: Context) => {
    checkYear(args.baseYear, 'baseYear');
    const years = args.years ?? 5;
    if (!Number.isInteger(years) || years < 1 || years > 10) throw badUserInput('years', 'must be between 1 and 10');
    const unit = await readableUnit(ctx, args.orgUnitId, { aggregate: true });
    if (!unit) return null;
    // From the forecast cache (repositories/forecast-rollup.ts); forecast.ts holds the live reference.
    const { stages, ...retirements } = await forecastFigures(ctx.db, unit.path, args.baseYear, years, (error) =>
      ctx.logger.error({ err: error, baseYear: args.baseYear }, 'first count of a forecast base year failed; the next read starts it again'),
    );
    const yearList = Array.from({ length: years }, (_, i) => args.baseYear + 1 + i);
    const retiring = yearList.map((year) => retirements.byYear.get(year) ?? 0);
    // Retirements are persons: viewers who may not see persons (analysts, system administrators)
    // get the figures decided level by level with the unit's parent and siblings
    // (services/forecast-publication.ts); teachers still available in a year are shown only when
    // the teachers in post and every retirement up to that year are known anyway.
    let available = retirements.inPost;
    const exact = retiring.map((count) => ({ count: count as number | null, remaining: (available -= count) as number | null }));
    let inPost: number | null = retirements.inPost;
    let published = exact;
    if (suppressesSmallCells(ctx.viewer)) {
      const node = await ctx.loaders.orgTree.unit(unit.id);
      const publisher = ctx.loaders.forecastPublication(args.baseYear);
      const cells = node ? (await publisher.publication(node)).dimensions.get('retirement') : undefined;
      // Teachers in post only at the top of the viewer's scope (services/forecast-publication.ts).
      const shown = node !== null && publisher.decidedAlone(node) && !(retirements.inPost > 0 && retirements.inPost < MIN_CELL_SIZE);
      inPost = shown ? retirements.inPost : null;
      // A year nobody retires in is no column of the table: a zero, known like every zero.
      const cellOf = (year: number) => (cells && !cells.empty ? (cells.cells.get(String(year)) ?? { count: 0, hidden: false, known: true }) : null);
      let knownSoFar = shown;
      published = yearList.map((year, i) => {
        const cell = cellOf(year);
        knownSoFar = knownSoFar && cell !== null && cell.known;
        return { count: cell && !cell.hidden ? cell.count : null, remaining: knownSoFar ? (exact[i]?.remaining ?? null) : null };
      });
    }
    const forecastYears = yearList.map((year, i) => {
      const yearStages = stages.filter((s) => s.year === year);
      const required = yearStages.reduce((sum, s) => sum + s.teachersRequired, 0);
      const { count, remaining } = published[i] as { count: number | null; remaining: number | null };
      return {
        year,
        stages: yearStages,
        students: yearStages.reduce((sum, s) => sum + s.students, 0),
        teachersRequired: required,
        retirements: count,
        teachersAvailable: remaining,
        gap: remaining === null ? null : required - remaining,
        suppressed: count === null || remaining === null,
      };
    });
    return { unit: orgRef(unit.id), baseYear: args.baseYear, teachersInPost: inPost, years: forecastYears };
  },
};

export const StaffingStandard = {
  variant: (s: { variant: string }) => s.variant.toUpperCase(),
};
export const StaffingExtraRule = {
  kind: (r: { kind: string }) => r.kind.toUpperCase(),
};
