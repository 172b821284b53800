import type { Context } from '../context';
import type { DeclarationRow } from '../repositories/declarations';

export const CreditDeclaration = {
  teacher: (d: DeclarationRow) => ({ __typename: 'Teacher', id: d.teacherId }),
  organiserUnit: (d: DeclarationRow) => (d.organiserOrgId ? { __typename: 'OrgUnit', id: d.organiserOrgId } : null),
  decidedBy: (d: DeclarationRow) => (d.decidedByOrgId ? { __typename: 'OrgUnit', id: d.decidedByOrgId } : null),
  credits: async (d: DeclarationRow, _: unknown, ctx: Context) =>
    d.trainingRecordId ? ((await ctx.loaders.trainingRecordById.load(d.trainingRecordId))?.credits ?? null) : null,
};
