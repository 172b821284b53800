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
    // Viewers who may not see persons get how many met the requirement, decided level by level
    // (shared/src/hierarchy-publication.ts), and nothing that gives the unit's teachers in total:
    // the registry alone publishes those to them (its activeTeachers), so the rate is theirs to work out.
    if (suppressesSmallCells(ctx.viewer)) {
      const node = await ctx.loaders.orgTree.unit(unit.id);
      if (!node) return null;
      const published = await ctx.loaders.completionPublication(key).publication(node);
      const met = published.dimensions.get('completion');
      const cell = met && !met.empty ? (met.cells.get('met') ?? { count: 0, hidden: false, known: true }) : null;
      if (!cell || cell.hidden) return null;
      const byMet = cell.count > 0 ? [{ code: 'met', label: '达标', count: cell.count }] : [];
      return { cycle, teacherCount: null, metCount: cell.count, completionRate: null, totalCredits: null, byCompletion: byMet };
    }
    const byCompletion = [
      { code: 'met', label: '达标', count: metCount },
      { code: 'not_met', label: '未达标', count: teacherCount - metCount },
    ];
    return { cycle, teacherCount, metCount, completionRate: teacherCount === 0 ? 0 : metCount / teacherCount, totalCredits: Number(row.credits), byCompletion };
  },
};
