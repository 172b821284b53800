import { badUserInput } from '../../../shared/src/errors';
import { decodeCursor, encodeCursor, pageSize } from '../../../shared/src/pagination';
import { normaliseUuid } from '../../../shared/src/ids';
import { isIsoDate } from '../../../shared/src/scalars';
import { conversionInForce, NATIONAL_DEFAULT, policyInForce, TRAINING_FORMS } from '../domain/credit-rules';
import { today } from '../domain/validation';
import { listCourses, type CourseFilter, type CourseRow } from '../repositories/catalogue';
import { listDeclarations, type DeclarationRow, type DeclarationStatus } from '../repositories/declarations';
import type { Context } from '../context';

/** Keyset cursors carry two parts (sort value, id). */
function splitCursor(after: string | null | undefined): [string, string] | null {
  const key = decodeCursor(after);
  if (key === null) return null;
  const [first, id] = key.split('|');
  if (!first || !id || normaliseUuid(id) !== id) throw badUserInput('after', 'is not a cursor returned by this API');
  return [first, id];
}

export const Query = {
  currentTrainingCycle: (_: unknown, __: unknown, ctx: Context) => ctx.loaders.currentCycle(),

  creditRules: async (_: unknown, args: { provinceCode: string; on?: string | null }, ctx: Context) => {
    if (args.provinceCode !== NATIONAL_DEFAULT && !/^\d{2}0000$/.test(args.provinceCode)) {
      throw badUserInput('provinceCode', 'must be a six-digit province code such as 420000, or CN');
    }
    const on = args.on ?? today();
    const rules = await ctx.loaders.creditRules();
    const policy = policyInForce(rules, args.provinceCode, on);
    if (!policy) throw badUserInput('on', `no credit rules are in force on ${on}`);
    return {
      provinceCode: args.provinceCode,
      on,
      usesNationalDefault: policy.provinceCode !== args.provinceCode,
      cycleRequiredCredits: policy.cycleRequiredCredits,
      cycleRequiredHours: policy.cycleRequiredHours,
      annualMinimumCredits: policy.annualMinimumCredits,
      creditsPerDegreeCredit: policy.creditsPerDegreeCredit,
      conversions: TRAINING_FORMS.map((form) => conversionInForce(rules, args.provinceCode, form, on)).filter((r) => r !== null),
    };
  },

  trainingCourses: async (_: unknown, args: { filter?: CourseFilter | null; first?: number | null; after?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const cursor = splitCursor(args.after);
    if (cursor && !isIsoDate(cursor[0])) throw badUserInput('after', 'is not a cursor returned by this API');
    const { rows, total } = await listCourses(ctx.db, ctx.viewer, args.filter ?? {}, limit, cursor ? { startsOn: cursor[0], id: cursor[1] } : null);
    const nodes = rows.slice(0, limit);
    const last: CourseRow | undefined = nodes[nodes.length - 1];
    return { nodes, pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeCursor(`${last.startsOn}|${last.id}`) : null }, totalCount: total };
  },

  trainingCourse: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.courseById.load(args.id),

  creditDeclarations: async (_: unknown, args: { status?: DeclarationStatus | null; first?: number | null; after?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const cursor = splitCursor(args.after);
    if (cursor && !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}(:\d{2})?$/.test(cursor[0])) throw badUserInput('after', 'is not a cursor returned by this API');
    const { rows, total } = await listDeclarations(ctx.db, ctx.viewer, { status: args.status, limit, after: cursor ? { createdAt: cursor[0], id: cursor[1] } : null });
    const nodes = rows.slice(0, limit);
    const last: (DeclarationRow & { cursorTime: string }) | undefined = nodes[nodes.length - 1];
    return {
      nodes,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeCursor(`${last.cursorTime}|${last.id}`) : null },
      totalCount: total,
    };
  },
};
