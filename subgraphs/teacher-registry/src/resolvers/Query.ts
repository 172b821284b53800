import { badUserInput } from '../../../shared/src/errors';
import { normaliseUuid } from '../../../shared/src/ids';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { countTeachersInSubtree, findTeacherByNumber, listTeachersInSubtree, type TeacherRow } from '../repositories/teachers';


/** A page of teachers under `subtreePath`; shared by `Query.teachers` and `OrgUnit.teachers`. */
export async function teacherPage(ctx: Context, subtreePath: string, args: PageArgs) {
  const limit = pageSize(args);
  const afterId = decodeCursor(args.after);
  if (afterId !== null && !normaliseUuid(afterId)) throw badUserInput('after', 'is not a cursor returned by this API');
  const rows = await listTeachersInSubtree(ctx.db, ctx.viewer, subtreePath, { limit, afterId });
  for (const row of rows) ctx.loaders.teacherById.prime(row.id, row);
  return toConnection<TeacherRow>(rows, limit, (r) => r.id, () => countTeachersInSubtree(ctx.db, ctx.viewer, subtreePath));
}

export const Query = {
  viewer: (_: unknown, __: unknown, ctx: Context) => ctx.viewer,
  orgUnit: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.orgUnitById.load(args.id),
  teacher: (_: unknown, args: { id: string }, ctx: Context) => {
    const id = normaliseUuid(args.id);
    return id ? ctx.loaders.teacherById.load(id) : null;
  },
  teacherByNumber: (_: unknown, args: { nationalTeacherNumber: string }, ctx: Context) =>
    findTeacherByNumber(ctx.db, ctx.viewer, args.nationalTeacherNumber).then((row) => row ?? null),
  teachers: async (_: unknown, args: PageArgs & { orgUnitId?: string | null }, ctx: Context) => {
    const orgUnitId = args.orgUnitId ?? ctx.viewer.orgId;
    const unit = await ctx.loaders.orgUnitById.load(orgUnitId);
    if (!unit) throw badUserInput('orgUnitId', `no organisation unit has id "${orgUnitId}"`);
    return teacherPage(ctx, unit.path, args);
  },
};
