import { badUserInput } from '../../../shared/src/errors';
import type { Context } from '../context';
import { cycleKey } from '../loaders';

export const OrgUnit = {
  // Organisation references resolve lazily: the completion field applies the viewer's scope in SQL.
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  trainingCompletion: async (unit: { id: string }, args: { cycleId?: string | null }, ctx: Context) => {
    const cycle = await ctx.loaders.cycleFor(args.cycleId);
    if (!cycle) {
      if (args.cycleId != null) throw badUserInput('cycleId', 'is not a training cycle');
      return null;
    }
    const row = await ctx.loaders.completionInCycle(cycleKey(cycle)).load(unit.id);
    if (!row) return null;
    const teacherCount = Number(row.teacherCount);
    const metCount = Number(row.metCount);
    return { cycle, teacherCount, metCount, completionRate: teacherCount === 0 ? 0 : metCount / teacherCount, totalCredits: Number(row.credits) };
  },
};
