import type { Context } from '../context';

export const Query = {
  currentTrainingCycle: (_: unknown, __: unknown, ctx: Context) => ctx.loaders.currentCycle(),
};
