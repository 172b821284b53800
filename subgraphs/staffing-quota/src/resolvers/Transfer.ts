import type { Context } from '../context';
import { REQUIRED_STEPS, type TransferKindValue } from '../domain/codes';
import type { ApprovalRow, TransferRow } from '../repositories/transfers';
import { orgRef } from './OrgUnit';

export const Transfer = {
  teacher: (t: TransferRow) => ({ __typename: 'Teacher', id: t.teacherId }),
  fromUnit: (t: TransferRow) => orgRef(t.fromOrgId),
  toUnit: (t: TransferRow) => orgRef(t.toOrgId),
  requiredSteps: (t: TransferRow) => REQUIRED_STEPS[t.kind as TransferKindValue],
  approvals: (t: TransferRow, _: unknown, ctx: Context) => ctx.loaders.approvalsByTransferId.load(t.id),
};

export const TransferApproval = {
  decidedAt: (a: ApprovalRow) => new Date(a.decidedAt).toISOString(),
};
