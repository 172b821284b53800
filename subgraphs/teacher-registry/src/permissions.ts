import { allow, or, rule, type IRules } from 'graphql-shield';
import { parseAdminRole, type Viewer } from '../../shared/src/identity';
import { isAdmin, isAnalyst, isRecordReaderAdmin, isTeacher, hasPartnerScope, PartnerScope } from '../../shared/src/permissions';

/**
 * Field rules decide which kinds of viewer may touch a field at all; which rows they see or write is
 * decided in SQL (org-scope) and, for writes, again in the services (own subtree, own record).
 */
const canReadOrgTree = or(isAdmin, isTeacher, isAnalyst, hasPartnerScope(PartnerScope.ORG_READ), hasPartnerScope(PartnerScope.DOSSIER_READ));
/** Which rows: decided in SQL by org-scope (subtree for admins and partners, own record for teachers). */
const canReadTeachers = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));
/** Identification documents, contact details and the review trail stay with administrators and the teacher, not partners. */
const canReadPersonalDetails = or(isRecordReaderAdmin, isTeacher);
/** Aggregates only: analysts read them too. */
const canReadStatistics = or(isAdmin, isAnalyst);
/** Information administrators enter, review and submit teacher information (DOMAIN.md §2). */
const isInfoAdmin = rule('registry:isInfoAdmin', { cache: 'contextual' })(
  (_parent, _args, ctx: { viewer: Viewer }) => parseAdminRole(ctx.viewer.role)?.kind === 'info_admin',
);
/** System administrators manage accounts (services/accounts.ts: own level and one level down, in SQL). */
const isSystemAdmin = rule('registry:isSystemAdmin', { cache: 'contextual' })(
  (_parent, _args, ctx: { viewer: Viewer }) => parseAdminRole(ctx.viewer.role)?.kind === 'system_admin',
);
/** Teachers propose changes and add some sub-records to their own archive. */
const canEditOwnOrAdmin = or(isInfoAdmin, isTeacher);

export const permissions: IRules = {
  Query: {
    viewer: allow,
    orgUnit: canReadOrgTree,
    teacher: canReadTeachers,
    teacherByNumber: canReadTeachers,
    teachers: canReadTeachers,
    changeRequest: canReadPersonalDetails,
    changeRequests: canReadPersonalDetails,
    teacherImportTemplate: isInfoAdmin,
    teacherImport: isInfoAdmin,
    accounts: isSystemAdmin,
  },
  Mutation: {
    revealPersonalDetails: or(isInfoAdmin, isTeacher),
    registerTeacher: isInfoAdmin,
    deleteTeacher: isInfoAdmin,
    approveTeacherRecord: isInfoAdmin,
    addIdentificationDocument: isInfoAdmin,
    addEducationRecord: canEditOwnOrAdmin,
    addWorkHistoryRecord: canEditOwnOrAdmin,
    addTitleAppointment: isInfoAdmin,
    addQualificationCertificate: isInfoAdmin,
    addSkillCertificate: canEditOwnOrAdmin,
    addContact: canEditOwnOrAdmin,
    // Pay is entered by the school (the service refuses other levels); revealed like personal details.
    addPayRecord: isInfoAdmin,
    revealPay: or(isInfoAdmin, isTeacher),
    proposeTeacherChange: canEditOwnOrAdmin,
    reviseChangeRequest: canEditOwnOrAdmin,
    submitChangeRequest: canEditOwnOrAdmin,
    schoolApproveChangeRequest: isInfoAdmin,
    countyApproveChangeRequest: isInfoAdmin,
    returnChangeRequest: isInfoAdmin,
    withdrawChangeRequest: canEditOwnOrAdmin,
    importTeachers: isInfoAdmin,
    importTeachersFromUpload: isInfoAdmin,
    createAccount: isSystemAdmin,
    disableAccount: isSystemAdmin,
  },
  Account: isSystemAdmin,
  AccountConnection: isSystemAdmin,
  CreateAccountPayload: isSystemAdmin,
  DisableAccountPayload: isSystemAdmin,
  Viewer: { subject: allow, role: allow, organisation: allow, teacher: isTeacher, scopes: allow },
  OrgUnit: {
    id: allow,
    name: canReadOrgTree,
    level: canReadOrgTree,
    parent: canReadOrgTree,
    ancestors: canReadOrgTree,
    children: canReadOrgTree,
    school: canReadOrgTree,
    teachers: canReadTeachers,
    descendants: canReadOrgTree,
    statistics: canReadStatistics,
  },
  OrgUnitConnection: { nodes: allow, pageInfo: allow },
  OrgUnitStatistics: allow,
  HeadcountBucket: allow,
  CrossTabCell: allow,
  PayRecord: allow,
  RevealPayPayload: allow,
  RevealPersonalDetailsPayload: allow,
  SchoolProfile: { stage: allow, locale: allow, isPublic: allow },
  Teacher: {
    id: allow,
    nationalTeacherNumber: canReadTeachers,
    name: canReadTeachers,
    gender: canReadTeachers,
    birthDate: canReadTeachers,
    school: canReadTeachers,
    formerNames: canReadTeachers,
    idDocument: canReadPersonalDetails,
    identificationDocuments: canReadPersonalDetails,
    birthplaceCode: canReadTeachers,
    ethnicity: canReadTeachers,
    politicalAffiliation: canReadTeachers,
    educationLevel: canReadTeachers,
    staffCategory: canReadTeachers,
    onQuota: canReadTeachers,
    employmentForm: canReadTeachers,
    startedWorkOn: canReadTeachers,
    joinedSchoolOn: canReadTeachers,
    subject: canReadTeachers,
    title: canReadTeachers,
    status: canReadTeachers,
    recordStatus: canReadTeachers,
    version: canReadTeachers,
    educationHistory: canReadTeachers,
    workHistory: canReadTeachers,
    titleAppointments: canReadTeachers,
    qualificationCertificates: canReadTeachers,
    skillCertificates: canReadTeachers,
    contacts: canReadPersonalDetails,
    awards: canReadTeachers,
    rotationHistory: canReadTeachers,
    // Pay (as bands) is personal data: administrators who read records and the teacher, never partners.
    payRecords: canReadPersonalDetails,
    fieldProvenance: canReadTeachers,
    changeRequests: canReadPersonalDetails,
    changeHistory: canReadPersonalDetails,
  },
  // Value types below are reachable only through the guarded fields above.
  ArchiveCode: allow,
  IdentificationDocument: allow,
  RecordProvenance: allow,
  FieldProvenance: allow,
  EducationRecord: allow,
  WorkHistoryRecord: allow,
  TitleAppointment: allow,
  QualificationCertificate: allow,
  SkillCertificate: allow,
  ContactRecord: allow,
  AwardRecord: allow,
  RotationRecord: allow,
  ChangeRequest: allow,
  FieldChange: allow,
  ArchiveChange: allow,
  ChangeRequestConnection: allow,
  ImportTemplate: allow,
  ImportProblem: allow,
  UserError: allow,
  RegisterTeacherPayload: allow,
  TeacherPayload: allow,
  DeleteTeacherPayload: allow,
  AddSubRecordPayload: allow,
  ChangeRequestPayload: allow,
  ImportTeachersPayload: allow,
  TeacherImportJob: allow,
  TeacherImportJobPayload: allow,
  TeacherConnection: { nodes: allow, pageInfo: allow, totalCount: allow },
  PageInfo: { hasNextPage: allow, endCursor: allow },
};
