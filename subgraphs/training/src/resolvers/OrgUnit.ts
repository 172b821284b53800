import type { Context } from '../context';

export const OrgUnit = {
  // Organisation references resolve lazily: the completion field applies the viewer's scope in SQL.
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  trainingCompletion: async (unit: { id: string }, _: unknown, ctx: Context) => {
    const [cycle, row] = await Promise.all([ctx.loaders.currentCycle(), ctx.loaders.completionByOrgId.load(unit.id)]);
    if (!cycle || !row) return null;
    const teacherCount = Number(row.teacherCount);
    const metCount = Number(row.metCount);
    return { cycle, teacherCount, metCount, completionRate: teacherCount === 0 ? 0 : metCount / teacherCount, totalCredits: Number(row.credits) };
  },
};
