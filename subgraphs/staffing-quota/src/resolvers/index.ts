import { DateScalar } from '../../../shared/src/scalars';
import { enumResolvers } from './enums';
import { Mutation } from './Mutation';
import { OrgUnit, PostPlanEntry, SchoolEnrolment, StaffingQuotaBalance } from './OrgUnit';
import { Query, StaffingExtraRule, StaffingStandard } from './Query';
import { RotationAssignment, RotationCandidate, RotationPlan } from './Rotation';
import { Employment, PostAppointment, Teacher } from './Teacher';
import { Transfer, TransferApproval } from './Transfer';
import { approvedLeaves, LeaveReason, recordApprovedLeave, type ApprovedLeaveRow, type RecordLeaveInput } from '../workflows/leave';
import type { Context } from '../context';
import { orgRef } from './OrgUnit';

export const resolvers = {
  Date: DateScalar,
  ...enumResolvers,
  LeaveReason,
  Query,
  Mutation: { ...Mutation, recordApprovedLeave: (_: unknown, { input }: { input: RecordLeaveInput }, ctx: Context) => recordApprovedLeave(ctx, input) },
  OrgUnit,
  SchoolEnrolment,
  StaffingQuotaBalance,
  PostPlanEntry,
  StaffingStandard,
  StaffingExtraRule,
  Teacher: { ...Teacher, approvedLeaves },
  ApprovedLeave: { unit: (leave: ApprovedLeaveRow) => orgRef(leave.orgId) },
  Employment,
  PostAppointment,
  Transfer,
  TransferApproval,
  RotationCandidate,
  RotationAssignment,
  RotationPlan,
};
