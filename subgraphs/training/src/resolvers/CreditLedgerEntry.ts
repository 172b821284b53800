import type { Context } from '../context';
import type { LedgerEntryRow } from '../repositories/credit-bank';

export const CreditLedgerEntry = {
  /** Converted when the teacher's ledger holds a conversion out taking from this entry. */
  isConverted: async (e: LedgerEntryRow, _: unknown, ctx: Context) =>
    (await ctx.loaders.ledgerByTeacherId.load(e.teacherId)).some((o) => o.entryType === 'conversion_out' && o.convertsEntryId === e.id),
};
