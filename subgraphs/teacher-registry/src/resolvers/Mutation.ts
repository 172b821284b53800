import type { Context } from '../context';
import { addSubRecord, deleteTeacher, registerTeacher, type RegisterTeacherArgs } from '../services/archive-writes';
import {
  approveTeacherRecord,
  countyApproveChangeRequest,
  proposeTeacherChange,
  returnChangeRequest,
  reviseChangeRequest,
  schoolApproveChangeRequest,
  submitChangeRequest,
  withdrawChangeRequest,
} from '../services/change-review';
import { importTeachers } from '../services/teacher-import';
import { startImportFromUpload } from '../services/teacher-import-upload';
import { revealPersonalDetails } from '../services/personal-details';
import { addPayRecord, revealPay, type AddPayRecordInput } from '../services/pay';

type Input<T> = { input: T };

/** After a write, the payload reads fresh rows (the loaders of this request may hold old ones). */
async function withTeacher(ctx: Context, result: { teacherId?: string; errors: unknown[] } & Record<string, unknown>) {
  if (!result.teacherId) return { ...result, teacher: null };
  ctx.loaders.teacherById.clear(result.teacherId);
  return { ...result, teacher: await ctx.loaders.teacherById.load(result.teacherId) };
}

async function withChangeRequest(ctx: Context, result: { changeRequestId?: string; errors: unknown[] }) {
  if (!result.changeRequestId) return { ...result, changeRequest: null };
  ctx.loaders.changeRequestById.clear(result.changeRequestId);
  return { ...result, changeRequest: await ctx.loaders.changeRequestById.load(result.changeRequestId) };
}

const subRecordMutation = (kind: string) => async (_: unknown, args: Input<Record<string, unknown> & { teacherId: string }>, ctx: Context) =>
  withTeacher(ctx, await addSubRecord(ctx.db, ctx.viewer, kind, args.input));

type StepInput = { id: string; version: number; comment?: string | null };

export const Mutation = {
  revealPersonalDetails: (_: unknown, args: Input<{ teacherId: string; reason: string }>, ctx: Context) => revealPersonalDetails(ctx, args.input),
  registerTeacher: async (_: unknown, args: Input<RegisterTeacherArgs>, ctx: Context) => withTeacher(ctx, await registerTeacher(ctx.db, ctx.viewer, args.input)),
  approveTeacherRecord: async (_: unknown, args: Input<StepInput>, ctx: Context) => withTeacher(ctx, await approveTeacherRecord(ctx.db, ctx.viewer, args.input)),
  deleteTeacher: (_: unknown, args: Input<{ id: string; version: number }>, ctx: Context) => deleteTeacher(ctx.db, ctx.viewer, args.input),
  addIdentificationDocument: subRecordMutation('idDocument'),
  addEducationRecord: subRecordMutation('education'),
  addWorkHistoryRecord: subRecordMutation('workHistory'),
  addTitleAppointment: subRecordMutation('titleAppointment'),
  addQualificationCertificate: subRecordMutation('qualification'),
  addSkillCertificate: subRecordMutation('skillCertificate'),
  addContact: subRecordMutation('contact'),
  addPayRecord: async (_: unknown, args: Input<AddPayRecordInput>, ctx: Context) => withTeacher(ctx, await addPayRecord(ctx.db, ctx.viewer, args.input)),
  revealPay: (_: unknown, args: Input<{ teacherId: string; reason: string }>, ctx: Context) => revealPay(ctx, args.input),
  proposeTeacherChange: async (_: unknown, args: Input<Parameters<typeof proposeTeacherChange>[2]>, ctx: Context) =>
    withChangeRequest(ctx, await proposeTeacherChange(ctx.db, ctx.viewer, args.input)),
  reviseChangeRequest: async (_: unknown, args: Input<Parameters<typeof reviseChangeRequest>[2]>, ctx: Context) =>
    withChangeRequest(ctx, await reviseChangeRequest(ctx.db, ctx.viewer, args.input)),
  submitChangeRequest: async (_: unknown, args: Input<StepInput>, ctx: Context) => withChangeRequest(ctx, await submitChangeRequest(ctx.db, ctx.viewer, args.input)),
  schoolApproveChangeRequest: async (_: unknown, args: Input<StepInput>, ctx: Context) =>
    withChangeRequest(ctx, await schoolApproveChangeRequest(ctx.db, ctx.viewer, args.input)),
  countyApproveChangeRequest: async (_: unknown, args: Input<StepInput>, ctx: Context) =>
    withChangeRequest(ctx, await countyApproveChangeRequest(ctx.db, ctx.viewer, args.input)),
  returnChangeRequest: async (_: unknown, args: Input<{ id: string; version: number; reason: string }>, ctx: Context) =>
    withChangeRequest(ctx, await returnChangeRequest(ctx.db, ctx.viewer, args.input)),
  withdrawChangeRequest: async (_: unknown, args: Input<StepInput>, ctx: Context) => withChangeRequest(ctx, await withdrawChangeRequest(ctx.db, ctx.viewer, args.input)),
  importTeachers: async (_: unknown, args: Input<{ fileName: string; contentBase64: string; dryRun: boolean }>, ctx: Context) => {
    const result: Record<string, unknown> = await importTeachers(ctx.db, ctx.viewer, args.input);
    // A refused file (wrong type, unreadable) has no counts: report zeros alongside the errors.
    const empty = { dryRun: args.input.dryRun, rowCount: 0, createdCount: 0, unchangedCount: 0, alreadyImported: false, problems: [] };
    return { ...empty, ...result };
  },
  importTeachersFromUpload: (_: unknown, args: Input<{ uploadId: string; dryRun: boolean }>, ctx: Context) =>
    startImportFromUpload(ctx.db, ctx.viewer, args.input, { requestId: ctx.requestId, logger: ctx.logger }),
};
