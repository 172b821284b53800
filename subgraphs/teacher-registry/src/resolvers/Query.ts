import { badUserInput } from '../../../shared/src/errors';
import { normaliseUuid } from '../../../shared/src/ids';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { STAFF_CATEGORY, TITLE, hasCode } from '../domain/code-sets';
import { listChangeRequests, type ChangeRequestRow } from '../repositories/change-requests';
import { countTeachersInSubtree, listTeachersInSubtree, type TeacherFilterValues, type TeacherRow } from '../repositories/teachers';
import { importTemplate } from '../services/teacher-import';

export interface TeacherFilterArgs extends TeacherFilterValues {
  orgUnitId?: string | null;
}

/** Refuses filters that cannot match anything because they are malformed, naming the field. */
function checkFilter(filter: TeacherFilterValues): TeacherFilterValues {
  if (filter.nameContains != null) {
    const trimmed = filter.nameContains.trim();
    if (trimmed.length === 0 || [...trimmed].length > 50) throw badUserInput('filter.nameContains', 'must be 1 to 50 characters');
    filter = { ...filter, nameContains: trimmed };
  }
  if (filter.staffCategory != null && !hasCode(STAFF_CATEGORY, filter.staffCategory)) {
    throw badUserInput('filter.staffCategory', `"${filter.staffCategory}" is not a staff category code`);
  }
  if (filter.title != null && !hasCode(TITLE, filter.title)) throw badUserInput('filter.title', `"${filter.title}" is not a title code`);
  if (filter.subject != null && [...filter.subject].length > 30) throw badUserInput('filter.subject', 'must be at most 30 characters');
  return filter;
}

/** A page of teachers under `subtreePath`; shared by `Query.teachers` and `OrgUnit.teachers`. */
export async function teacherPage(ctx: Context, subtreePath: string, args: PageArgs, rawFilter: TeacherFilterValues = {}) {
  const limit = pageSize(args);
  const afterId = decodeCursor(args.after);
  if (afterId !== null && !normaliseUuid(afterId)) throw badUserInput('after', 'is not a cursor returned by this API');
  const filter = checkFilter(rawFilter);
  const rows = await listTeachersInSubtree(ctx.db, ctx.viewer, subtreePath, { limit, afterId }, filter);
  for (const row of rows) ctx.loaders.teacherById.prime(row.id, row);
  return toConnection<TeacherRow>(rows, limit, (r) => r.id, () => countTeachersInSubtree(ctx.db, ctx.viewer, subtreePath, filter));
}

export const Query = {
  viewer: (_: unknown, __: unknown, ctx: Context) => ctx.viewer,
  orgUnit: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.orgUnitById.load(args.id),
  teacher: (_: unknown, args: { id: string }, ctx: Context) => {
    const id = normaliseUuid(args.id);
    return id ? ctx.loaders.teacherById.load(id) : null;
  },
  teacherByNumber: async (_: unknown, args: { nationalTeacherNumber: string }, ctx: Context) => {
    const row = await ctx.loaders.teacherByNumber.load(args.nationalTeacherNumber);
    if (row) ctx.loaders.teacherById.prime(row.id, row);
    return row;
  },
  teachers: async (_: unknown, args: PageArgs & { orgUnitId?: string | null; filter?: TeacherFilterArgs | null }, ctx: Context) => {
    const { orgUnitId: filterUnit, ...filter } = args.filter ?? {};
    const orgUnitId = filterUnit ?? args.orgUnitId ?? ctx.viewer.orgId;
    const unit = await ctx.loaders.orgUnitById.load(orgUnitId);
    if (!unit) throw badUserInput(filterUnit ? 'filter.orgUnitId' : 'orgUnitId', `no organisation unit has id "${orgUnitId}"`);
    return teacherPage(ctx, unit.path, args, filter);
  },
  changeRequest: (_: unknown, args: { id: string }, ctx: Context) => {
    const id = normaliseUuid(args.id);
    return id ? ctx.loaders.changeRequestById.load(id) : null;
  },
  changeRequests: async (_: unknown, args: PageArgs & { status?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const afterId = decodeCursor(args.after);
    if (afterId !== null && !normaliseUuid(afterId)) throw badUserInput('after', 'is not a cursor returned by this API');
    const rows = await listChangeRequests(ctx.db, ctx.viewer, { status: args.status ?? null, limit, afterId });
    for (const row of rows) ctx.loaders.changeRequestById.prime(row.id, row);
    return toConnection<ChangeRequestRow>(rows, limit, (r) => r.id, async () => 0);
  },
  teacherImportTemplate: (_: unknown, args: { format?: 'xlsx' | 'csv' | null }) => importTemplate(args.format ?? 'xlsx'),
};
