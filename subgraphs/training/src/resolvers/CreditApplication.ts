import type { Context } from '../context';
import type { ApplicationRow } from '../repositories/credit-operations';

export const CreditApplication = {
  entries: (a: ApplicationRow, _: unknown, ctx: Context) => ctx.loaders.entriesByApplicationId.load(a.id),
};
