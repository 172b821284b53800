import type { Context } from '../context';
import { unitYearKey } from '../loaders';
import { appointToPost, changeEmploymentTerms, endPostAppointment, recordEnrolment, setApprovedQuota, setPostPlanEntry } from '../workflows/units';
import { decideTransfer, requestTransfer } from '../workflows/transfers';
import { addRotationAssignment, completeRotation, createRotationPlan, submitRotationPlan } from '../workflows/rotation';
import {
  exemptFromRotation,
  recordRotationParameters,
  recordStaffingExtraRule,
  recordStaffingStandard,
  setSchoolDesignation,
} from '../workflows/reference-data';
import { balanceOf } from './OrgUnit';

type Input<T> = { input: T };

export const Mutation = {
  recordStaffingStandard: (_: unknown, { input }: Input<Parameters<typeof recordStaffingStandard>[1]>, ctx: Context) => recordStaffingStandard(ctx, input),
  recordStaffingExtraRule: (_: unknown, { input }: Input<Parameters<typeof recordStaffingExtraRule>[1]>, ctx: Context) => recordStaffingExtraRule(ctx, input),
  recordRotationParameters: (_: unknown, { input }: Input<Parameters<typeof recordRotationParameters>[1]>, ctx: Context) => recordRotationParameters(ctx, input),
  setSchoolDesignation: (_: unknown, { input }: Input<Parameters<typeof setSchoolDesignation>[1]>, ctx: Context) => setSchoolDesignation(ctx, input),
  exemptFromRotation: (_: unknown, { input }: Input<Parameters<typeof exemptFromRotation>[1]>, ctx: Context) => exemptFromRotation(ctx, input),
  recordEnrolment: async (_: unknown, { input }: Input<Parameters<typeof recordEnrolment>[1]>, ctx: Context) => {
    const result = await recordEnrolment(ctx, input);
    if (!result.enrolment) return result;
    return { ...result, enrolment: await ctx.loaders.enrolmentByUnitYear.load(unitYearKey(result.enrolment.orgId, result.enrolment.year)) };
  },
  setApprovedQuota: async (_: unknown, { input }: Input<Parameters<typeof setApprovedQuota>[1]>, ctx: Context) => {
    const result = await setApprovedQuota(ctx, input);
    if (!result.staffingQuota) return result;
    return { ...result, staffingQuota: await balanceOf(ctx, result.staffingQuota.orgId, result.staffingQuota.year) };
  },
  setPostPlanEntry: (_: unknown, { input }: Input<Parameters<typeof setPostPlanEntry>[1]>, ctx: Context) => setPostPlanEntry(ctx, input),
  appointToPost: (_: unknown, { input }: Input<Parameters<typeof appointToPost>[1]>, ctx: Context) => appointToPost(ctx, input),
  endPostAppointment: (_: unknown, { input }: Input<Parameters<typeof endPostAppointment>[1]>, ctx: Context) => endPostAppointment(ctx, input),
  changeEmploymentTerms: (_: unknown, { input }: Input<Parameters<typeof changeEmploymentTerms>[1]>, ctx: Context) => changeEmploymentTerms(ctx, input),
  requestTransfer: (_: unknown, { input }: Input<Parameters<typeof requestTransfer>[1]>, ctx: Context) => requestTransfer(ctx, input),
  decideTransfer: (_: unknown, { input }: Input<Parameters<typeof decideTransfer>[1]>, ctx: Context) => decideTransfer(ctx, input),
  createRotationPlan: (_: unknown, { input }: Input<Parameters<typeof createRotationPlan>[1]>, ctx: Context) => createRotationPlan(ctx, input),
  addRotationAssignment: (_: unknown, { input }: Input<Parameters<typeof addRotationAssignment>[1]>, ctx: Context) => addRotationAssignment(ctx, input),
  submitRotationPlan: (_: unknown, { input }: Input<Parameters<typeof submitRotationPlan>[1]>, ctx: Context) => submitRotationPlan(ctx, input),
  completeRotation: (_: unknown, { input }: Input<Parameters<typeof completeRotation>[1]>, ctx: Context) => completeRotation(ctx, input),
};
