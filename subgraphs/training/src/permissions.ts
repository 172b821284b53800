import { allow, or, rule, type IRules } from 'graphql-shield';
import { parseAdminRole, type Viewer } from '../../shared/src/identity';
import { hasPartnerScope, isAdmin, isAnalyst, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';

/**
 * Which kinds of viewer may use a field. Which teachers, declarations and courses they reach is
 * decided in SQL (teacher_scope / organiser paths), never here.
 */
const viewerRule = (name: string, test: (viewer: Viewer) => boolean) =>
  rule(name, { cache: 'contextual' })((_parent, _args, ctx: { viewer: Viewer }) => test(ctx.viewer));

/** Information administrators enter and review records [信息管理员]. */
const isInfoAdmin = viewerRule('training:isInfoAdmin', (v) => parseAdminRole(v.role)?.kind === 'info_admin');
/** The school reviews declarations of its own teachers. */
const isSchoolInfoAdmin = viewerRule('training:isSchoolInfoAdmin', (v) => v.role === 'school_info_admin');
/** Credits are recognised at county level or above (教师〔2016〕12号). */
const isRecognisingAuthority = viewerRule('training:isRecognisingAuthority', (v) => {
  const admin = parseAdminRole(v.role);
  return admin?.kind === 'info_admin' && admin.level !== 'school';
});

const canReadTraining = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  Query: {
    currentTrainingCycle: or(isAdmin, isTeacher, isAnalyst, hasPartnerScope(PartnerScope.DOSSIER_READ)),
    creditRules: or(isAdmin, isTeacher, isAnalyst, hasPartnerScope(PartnerScope.DOSSIER_READ)),
    trainingCourses: or(isAdmin, isTeacher),
    trainingCourse: or(isAdmin, isTeacher),
    creditDeclarations: or(isRecordReaderAdmin, isTeacher),
  },
  Mutation: {
    // Which province: the viewer's own (or any for national administrators), checked in the resolver.
    setCreditPolicy: isInfoAdmin,
    setCreditConversionRule: isInfoAdmin,
    createTrainingProgramme: isInfoAdmin,
    createTrainingCourse: isInfoAdmin,
    enrolInTrainingCourse: or(isTeacher, isInfoAdmin),
    recordCourseCompletion: isInfoAdmin,
    declareTraining: or(isTeacher, isInfoAdmin),
    reviewCreditDeclaration: isSchoolInfoAdmin,
    // County or above for teachers of its subtree, or the named organiser at any level: decided in SQL.
    decideCreditDeclaration: isInfoAdmin,
    convertCredits: isRecognisingAuthority,
    applyCredits: isInfoAdmin,
  },
  Teacher: {
    id: allow,
    trainingProgress: canReadTraining,
    trainingRecords: canReadTraining,
    trainingCycleSummary: canReadTraining,
    trainingAnnualTotals: canReadTraining,
    creditLedger: canReadTraining,
    creditBalance: canReadTraining,
    creditApplications: canReadTraining,
    creditDeclarations: or(isRecordReaderAdmin, isTeacher),
    courseEnrolments: canReadTraining,
  },
  OrgUnit: { id: allow, trainingCompletion: or(isAdmin, isAnalyst) },
  TrainingCycle: allow,
  TrainingRecord: allow,
  TrainingCycleProgress: allow,
  TrainingCycleSummary: allow,
  TrainingYearTotal: allow,
  CreditLedgerEntry: allow,
  CreditBalance: allow,
  CreditApplication: allow,
  TrainingCompletion: allow,
  HeadcountBucket: allow,
  CreditConversionRule: allow,
  CreditRuleSet: allow,
  TrainingProgramme: allow,
  // Rows are chosen in SQL (organiser, subtree or own place). Enrolments name persons: system
  // administrators (accounts and the tree, no person-level records) are not granted them.
  TrainingCourse: { '*': allow, enrolments: or(isRecordReaderAdmin, isTeacher) },
  TrainingCourseConnection: allow,
  TrainingPageInfo: allow,
  CourseEnrolment: allow,
  CreditDeclaration: allow,
  CreditDeclarationConnection: allow,
  UserError: allow,
  TrainingProgrammePayload: allow,
  TrainingCoursePayload: allow,
  CourseEnrolmentPayload: allow,
  CreditDeclarationPayload: allow,
  ConvertCreditsPayload: allow,
  CreditApplicationPayload: allow,
  CreditPolicy: allow,
  CreditPolicyPayload: allow,
  CreditConversionRulePayload: allow,
};
