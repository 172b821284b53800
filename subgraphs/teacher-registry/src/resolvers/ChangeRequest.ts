import type { Context } from '../context';
import type { ChangeRequestRow } from '../repositories/change-requests';
import { archiveChange, displayValue } from './Teacher';

export const ChangeRequest = {
  teacher: (request: ChangeRequestRow, _: unknown, ctx: Context) => ctx.loaders.teacherById.load(request.teacherId),
  changes: (request: ChangeRequestRow) => request.changes.map((c) => ({ field: c.field, before: displayValue(c.before), after: displayValue(c.after) })),
  createdAt: (request: ChangeRequestRow) => new Date(request.createdAt).toISOString(),
  updatedAt: (request: ChangeRequestRow) => new Date(request.updatedAt).toISOString(),
  history: async (request: ChangeRequestRow, _: unknown, ctx: Context) => (await ctx.loaders.changeLogByRequestId.load(request.id)).map(archiveChange),
};

export const ChangeRequestStatus = {
  DRAFT: 'draft',
  SUBMITTED: 'submitted',
  SCHOOL_REVIEWED: 'school_reviewed',
  APPROVED: 'approved',
  RETURNED: 'returned',
  WITHDRAWN: 'withdrawn',
};
export const ImportFileFormat = { XLSX: 'xlsx', CSV: 'csv' };
