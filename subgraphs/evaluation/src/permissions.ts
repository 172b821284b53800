import { allow, or, rule, type IRules } from 'graphql-shield';
import { parseAdminRole, type Viewer } from '../../shared/src/identity';
import { hasPartnerScope, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';

interface ViewerContext {
  viewer: Viewer;
}
const viewerRule = (name: string, test: (viewer: Viewer) => boolean) =>
  rule(name, { cache: 'contextual' })((_parent, _args, ctx: ViewerContext) => test(ctx.viewer));

/** Assessments are entered by the school [学校录入]: its information administrator. */
const isSchoolInfoAdmin = viewerRule('evaluation:isSchoolInfoAdmin', (v) => v.role === 'school_info_admin');
const isSchoolAdminReader = viewerRule('evaluation:isSchoolAdminReader', (v) => v.role === 'school_info_admin' || v.role === 'school_query');
/** Ethics entries are restricted to information administrators of county level and above. */
const isCountyOrAboveInfoAdmin = viewerRule('evaluation:isCountyOrAboveInfoAdmin', (v) => {
  const admin = parseAdminRole(v.role);
  return admin !== null && admin.kind === 'info_admin' && admin.level !== 'school';
});

const isCountyInfoAdmin = viewerRule('evaluation:isCountyInfoAdmin', (v) => v.role === 'county_info_admin');
const isRegistrationReader = viewerRule('evaluation:isRegistrationReader', (v) => {
  const admin = parseAdminRole(v.role);
  return admin !== null && admin.kind !== 'system_admin';
});

const isInfoAdminAt = (name: string, levels: string[]) =>
  viewerRule(name, (v) => {
    const admin = parseAdminRole(v.role);
    return admin !== null && admin.kind === 'info_admin' && levels.includes(admin.level);
  });
const isAnyInfoAdmin = isInfoAdminAt('evaluation:isAnyInfoAdmin', ['national', 'province', 'city', 'county', 'school']);
const isNominator = isInfoAdminAt('evaluation:isNominator', ['school', 'county']);
const isAuditTrailReader = viewerRule('evaluation:isAuditTrailReader', (v) => v.role === 'auditor' || v.role === 'province_info_admin' || v.role === 'national_info_admin');
const isRuleSetter = viewerRule('evaluation:isRuleSetter', (v) => v.role === 'province_info_admin' || v.role === 'national_info_admin');
const isPreReviewer = isInfoAdminAt('evaluation:isPreReviewer', ['county', 'city']);
const isCommitteeRecorder = isInfoAdminAt('evaluation:isCommitteeRecorder', ['city', 'province']);

const canReadAssessments = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));
const canReadEthicsEntries = or(isCountyOrAboveInfoAdmin, isTeacher);
// Partners learn only what the sanctions bar, never the entries behind them.
const canReadEthicsBans = or(isCountyOrAboveInfoAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  Query: { ethicsAccessLog: isAuditTrailReader, excellentCapRules: isRegistrationReader, excellentCap: isSchoolAdminReader, awardProgrammes: isRegistrationReader, qualificationRegistrationsDue: isRegistrationReader },
  Mutation: {
    enterAnnualAssessment: isSchoolInfoAdmin,
    changeAnnualAssessmentGrade: isSchoolInfoAdmin,
    recordEthicsEntry: isCountyOrAboveInfoAdmin,
    correctEthicsEntry: isCountyOrAboveInfoAdmin,
    applyForQualificationRegistration: isTeacher,
    fileQualificationRegistration: isSchoolInfoAdmin,
    registerQualification: isCountyInfoAdmin,
    registerDueQualifications: isCountyInfoAdmin,
    applyForTitle: isTeacher,
    recommendTitleApplication: isSchoolInfoAdmin,
    preReviewTitleApplication: isPreReviewer,
    decideTitleApplication: isCommitteeRecorder,
    appointTitle: isSchoolInfoAdmin,
    addExcellentCapRule: isRuleSetter,
    createAwardProgramme: isAnyInfoAdmin,
    nominateForAward: isNominator,
    decideAwardNomination: isAnyInfoAdmin,
  },
  Teacher: { id: allow, annualAssessments: canReadAssessments, ethicsEntries: canReadEthicsEntries, ethicsBans: canReadEthicsBans,
    // Registration systems (partners) read the outcome; its reasons leave ethics details out for them.
    qualificationRegistrations: canReadAssessments,
    registrationEligibility: canReadAssessments,
    trainingProgress: allow,
    employments: allow,
    approvedLeaves: allow,
    titleReviewCheck: canReadAssessments,
    titleApplications: canReadAssessments,
    educationLevel: allow,
    title: allow,
    titleAppointments: allow,
    school: allow,
    ruralOrWeakSchoolServiceYears: allow,
    awardEligibility: canReadAssessments,
    awardNominations: canReadAssessments,
  },
  AnnualAssessment: allow,
  AnnualAssessmentPayload: allow,
  ExcellentCapStatus: allow,
  EthicsEntry: allow,
  EthicsEntryPayload: allow,
  EthicsBans: allow,
  UserError: allow,
  QualificationRegistration: allow,
  QualificationRegistrationPayload: allow,
  QualificationRegistrationConnection: allow,
  RegisterDueQualificationsPayload: allow,
  RegistrationEligibility: allow,
  PageInfo: allow,
  TrainingCycleProgress: allow,
  TrainingCycle: allow,
  Employment: allow,
  ApprovedLeave: allow,
  OrgUnit: { id: allow, school: allow, freePostSlots: allow },
  SchoolProfile: allow,
  PostSlotAvailability: allow,
  ArchiveCode: allow,
  TitleAppointment: allow,
  TitleCondition: allow,
  TitleReviewCheck: allow,
  TitleApplication: allow,
  TitleApplicationPayload: allow,
  ExcellentCapRule: allow,
  ExcellentCapRulePayload: allow,
  EthicsAccessRecord: allow,
  EthicsAccessRecordConnection: allow,
  AwardProgramme: allow,
  AwardProgrammeConnection: allow,
  AwardGate: allow,
  AwardEligibility: allow,
  AwardNomination: allow,
  AwardProgrammePayload: allow,
  AwardNominationPayload: allow,
};
