import { badUserInput } from '../../../shared/src/errors';
import type { Context } from '../context';
import { cycleKey } from '../loaders';
import { MIN_CELL_SIZE, suppressesSmallCells } from '../../../shared/src/small-cells';

export const OrgUnit = {
  // Organisation references resolve lazily: the completion field applies the viewer's scope in SQL.
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  trainingCompletion: async (unit: { id: string }, args: { cycleId?: string | null }, ctx: Context) => {
    const cycle = await ctx.loaders.cycleFor(args.cycleId);
    if (!cycle) {
      if (args.cycleId != null) throw badUserInput('cycleId', 'is not a training cycle');
      return null;
    }
    const row = await ctx.loaders.completionInCycle(`${cycle.id}:${cycleKey(cycle)}`).load(unit.id);
    if (!row) return null;
    const teacherCount = Number(row.teacherCount);
    const metCount = Number(row.metCount);
    const small = (n: number) => n > 0 && n < MIN_CELL_SIZE;
    // Two cells (met, not met) and an exact total: one small cell gives the other away, so the whole figure goes.
    if (suppressesSmallCells(ctx.viewer) && (small(metCount) || small(teacherCount - metCount))) return null;
    const byCompletion = [
      { code: 'met', label: '达标', count: metCount },
      { code: 'not_met', label: '未达标', count: teacherCount - metCount },
    ];
    return { cycle, teacherCount, metCount, completionRate: teacherCount === 0 ? 0 : metCount / teacherCount, totalCredits: Number(row.credits), byCompletion };
  },
};
