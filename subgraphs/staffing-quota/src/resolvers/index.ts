import { DateScalar } from '../../../shared/src/scalars';
import { enumResolvers } from './enums';
import { Mutation } from './Mutation';
import { OrgUnit, PostPlanEntry, SchoolEnrolment } from './OrgUnit';
import { Query, StaffingExtraRule, StaffingStandard } from './Query';
import { RotationAssignment, RotationCandidate, RotationPlan } from './Rotation';
import { Employment, PostAppointment, Teacher } from './Teacher';
import { Transfer, TransferApproval } from './Transfer';

export const resolvers = {
  Date: DateScalar,
  ...enumResolvers,
  Query,
  Mutation,
  OrgUnit,
  SchoolEnrolment,
  PostPlanEntry,
  StaffingStandard,
  StaffingExtraRule,
  Teacher,
  Employment,
  PostAppointment,
  Transfer,
  TransferApproval,
  RotationCandidate,
  RotationAssignment,
  RotationPlan,
};
