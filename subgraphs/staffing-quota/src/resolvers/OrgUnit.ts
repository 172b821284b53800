import { badUserInput } from '../../../shared/src/errors';
import type { Context } from '../context';

export const OrgUnit = {
  // Organisation references are resolved lazily: the quota field applies the viewer's scope.
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  staffingQuota: async (unit: { id: string }, args: { year: number }, ctx: Context) => {
    if (args.year < 1949 || args.year > 2100) throw badUserInput('year', 'must be between 1949 and 2100');
    const row = await ctx.loaders.quotaBalanceByOrgId(args.year).load(unit.id);
    if (!row) return null;
    return { year: args.year, approved: row.approved, occupied: row.occupied, balance: row.approved - row.occupied };
  },
};
