import { badUserInput } from '../../../shared/src/errors';
import type { Context } from '../context';
import { cycleKey } from '../loaders';
import { suppressesSmallCells } from '../../../shared/src/small-cells';

export const OrgUnit = {
  // Organisation references resolve lazily: the completion field applies the viewer's scope in SQL.
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  trainingCompletion: async (unit: { id: string }, args: { cycleId?: string | null }, ctx: Context) => {
    const cycle = await ctx.loaders.cycleFor(args.cycleId);
    if (!cycle) {
      if (args.cycleId != null) throw badUserInput('cycleId', 'is not a training cycle');
      return null;
    }
    const key = `${cycle.id}:${cycleKey(cycle)}`;
    const row = await ctx.loaders.completionInCycle(key).load(unit.id);
    if (!row) return null;
    const teacherCount = Number(row.teacherCount);
    const metCount = Number(row.metCount);
    // Viewers who may not see persons get the figure only when its total and both cells are
    // published as decided level by level (shared/src/hierarchy-publication.ts): the total is the
    // active teachers the registry withholds alike, and the county less its schools gives nothing away.
    if (suppressesSmallCells(ctx.viewer)) {
      const node = await ctx.loaders.orgTree.unit(unit.id);
      if (!node) return null;
      const published = await ctx.loaders.completionPublication(key).publication(node);
      const cells = published.dimensions.get('completion');
      if (published.totals.get('active')?.hidden || !cells || cells.empty || [...cells.cells.values()].some((c) => c.hidden)) return null;
    }
    const byCompletion = [
      { code: 'met', label: '达标', count: metCount },
      { code: 'not_met', label: '未达标', count: teacherCount - metCount },
    ];
    return { cycle, teacherCount, metCount, completionRate: teacherCount === 0 ? 0 : metCount / teacherCount, totalCredits: Number(row.credits), byCompletion };
  },
};
