import { allow, or, rule, type IRules } from 'graphql-shield';
import { parseAdminRole, type Viewer } from '../../shared/src/identity';
import { hasPartnerScope, isAdmin, isAnalyst, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';

/**
 * Field rules: which kinds of viewer may touch a field at all. Which units and teachers they reach
 * is decided in SQL (reads) and in workflows/ (writes, from the rows' organisation paths).
 */
const isInfoAdmin = rule('staffing:isInfoAdmin', { cache: 'contextual' })(
  (_parent, _args, ctx: { viewer: Viewer }) => parseAdminRole(ctx.viewer.role)?.kind === 'info_admin',
);

/** Quota balances, enrolment, post plans and forecasts are aggregates: administrators and analysts. */
const canReadAggregates = or(isAdmin, isAnalyst);
const canReadEmployment = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));
/** Title review (a partner with dossier:read) asks for free post slots, as do administrators. */
const canReadPostSlots = or(isAdmin, hasPartnerScope(PartnerScope.DOSSIER_READ));
/**
 * OrgUnit.freePostSlots: the same readers. Teachers pass the gate only because their own
 * `titleReviewCheck` (evaluation) requires this field of their school through @requires, and a
 * refusal there would put a FORBIDDEN error into every teacher's check; they have no org scope, so
 * the resolver answers null for them (SQL) and they read nothing.
 */
const canAskFreePostSlots = or(isAdmin, hasPartnerScope(PartnerScope.DOSSIER_READ), isTeacher);

const canReadPolicy = or(isAdmin, isAnalyst, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));
/** Rotation is organised per county (县管校聘): its eligibility and plans are read at county level and above. */
const isCountyOrAboveRecordReader = rule('staffing:isCountyOrAboveRecordReader', { cache: 'contextual' })((_parent, _args, ctx: { viewer: Viewer }) => {
  const admin = parseAdminRole(ctx.viewer.role);
  return admin !== null && admin.kind !== 'system_admin' && admin.level !== 'school';
});

export const permissions: IRules = {
  Query: {
    // Staffing standards are published policy, read by everyone who works with quotas; auditors
    // (audit trail only) and partners without a dossier scope are not granted them (deny by default).
    staffingStandards: canReadPolicy,
    staffingExtraRules: canReadPolicy,
    postSlotAvailability: canReadPostSlots,
    transfer: isRecordReaderAdmin,
    transfers: isRecordReaderAdmin,
    rotationEligibility: isCountyOrAboveRecordReader,
    rotationPlan: isCountyOrAboveRecordReader,
    staffingDemandForecast: canReadAggregates,
  },
  Mutation: {
    recordStaffingStandard: isInfoAdmin,
    recordStaffingExtraRule: isInfoAdmin,
    recordRotationParameters: isInfoAdmin,
    setSchoolDesignation: isInfoAdmin,
    exemptFromRotation: isInfoAdmin,
    recordEnrolment: isInfoAdmin,
    setApprovedQuota: isInfoAdmin,
    setPostPlanEntry: isInfoAdmin,
    appointToPost: isInfoAdmin,
    recordApprovedLeave: isInfoAdmin,
    endPostAppointment: isInfoAdmin,
    changeEmploymentTerms: isInfoAdmin,
    requestTransfer: isInfoAdmin,
    decideTransfer: isInfoAdmin,
    createRotationPlan: isInfoAdmin,
    addRotationAssignment: isInfoAdmin,
    submitRotationPlan: isInfoAdmin,
    completeRotation: isInfoAdmin,
  },
  OrgUnit: { id: allow, staffingQuota: canReadAggregates, mobilityStatistics: canReadAggregates, enrolment: canReadAggregates, postPlan: canReadAggregates, freePostSlots: canAskFreePostSlots },
  Teacher: {
    id: allow,
    employments: canReadEmployment,
    postAppointments: canReadEmployment,
    approvedLeaves: canReadEmployment,
    rotations: canReadEmployment,
    ruralOrWeakSchoolServiceYears: canReadEmployment,
  },
  // Types below are reachable only through the guarded fields above.
  ApprovedLeave: allow,
  RecordApprovedLeavePayload: allow,
  // Every field, `version` included, as reachable as the balance itself (OrgUnit.staffingQuota, setApprovedQuota).
  StaffingQuotaBalance: allow,
  MobilityStatistics: allow,
  HeadcountBucket: allow,
  StaffingStandard: allow,
  StaffingExtraRule: allow,
  SchoolEnrolment: allow,
  EnrolmentRow: allow,
  Employment: allow,
  PostAppointment: allow,
  PostPlanEntry: allow,
  PostSlotAvailability: allow,
  Transfer: allow,
  TransferApproval: allow,
  TransferConnection: allow,
  PageInfo: allow,
  RotationParameters: allow,
  RotationCandidate: allow,
  RotationEligibility: allow,
  RotationAssignment: allow,
  RotationPlan: allow,
  RotationPlanCompliance: allow,
  StageForecast: allow,
  DemandForecastYear: allow,
  DemandForecast: allow,
  UserError: allow,
  RecordEnrolmentPayload: allow,
  SetApprovedQuotaPayload: allow,
  SetPostPlanEntryPayload: allow,
  AppointToPostPayload: allow,
  EndPostAppointmentPayload: allow,
  ChangeEmploymentTermsPayload: allow,
  TransferPayload: allow,
  RotationPlanPayload: allow,
  RotationAssignmentPayload: allow,
  StaffingStandardPayload: allow,
  StaffingExtraRulePayload: allow,
  RotationParametersPayload: allow,
  SetSchoolDesignationPayload: allow,
  ExemptFromRotationPayload: allow,
};
