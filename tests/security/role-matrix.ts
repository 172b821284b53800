import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { levelOfOrgCode, parseAdminRole, type AccountKind, type OrgLevel, type Role, type Viewer } from '../../subgraphs/shared/src/identity';

/**
 * The authorization matrix: for every root Query and Mutation field of every subgraph, which kinds
 * of viewer may use it, and for those that may, what "own organisation" and "another organisation"
 * must look like. matrix.test.ts runs it through the gateway and straight against each subgraph,
 * and fails when the composed supergraph has a root field this table does not list.
 *
 * The table states the policy (DOMAIN.md §2, README "Roles"), written independently of the
 * subgraphs' permissions.ts: a disagreement is a finding, fixed in permissions.ts or here, never
 * silenced.
 */

// ---------------------------------------------------------------------------------------------
// Real demo data for own and other organisations.

const demo = buildDemoDataset();
export const teachersUnder = (orgId: string) => {
  const unit = demo.orgUnits.find((o) => o.id === orgId);
  if (!unit) throw new Error(`${orgId} is not in the demo tree`);
  return demo.teachers.filter((t) => t.orgPath.startsWith(unit.path));
};
export const orgPathOf = (orgId: string) => {
  const unit = demo.orgUnits.find((o) => o.id === orgId);
  if (!unit) throw new Error(`${orgId} is not in the demo tree`);
  return unit.path;
};
export const teacherPath = new Map(demo.teachers.map((t) => [t.id, t.orgPath]));

/** The viewers' own branch: 湖北省 › 武汉市 › 洪山区 › 华中师范大学第一附属中学. */
export const OWN_CHAIN: Record<OrgLevel, string> = {
  national: 'CN',
  province: '420000',
  city: '420100',
  county: '420111',
  school: '1142000102',
};
/** A neighbour at each level, outside the own branch (national has none: it sees everything). */
export const OTHER_AT: Record<OrgLevel, string | null> = {
  national: null,
  province: '110000', // 北京市
  city: '420500', // 宜昌市
  county: '420115', // 江夏区, the neighbouring district of the same city
  school: '1142000101', // another school of the same district
};
const ownSchoolTeachers = teachersUnder(OWN_CHAIN.school);
/** A teacher every viewer of the own branch may see. */
export const OWN_TEACHER = ownSchoolTeachers[0]!;
/** A colleague in the same school: "another teacher" for the teacher viewer. */
export const PEER_TEACHER = ownSchoolTeachers[1]!;

/** What a case targets: a teacher and an organisation (with its county and province for level-bound fields). */
export interface Target {
  teacherId: string;
  nationalTeacherNumber: string;
  orgId: string;
  countyId: string;
  provinceCode: string;
  schoolId: string;
}

const targetOf = (orgId: string, teacher: { id: string; nationalTeacherNumber: string }): Target => {
  const path = orgPathOf(orgId).split('/').filter(Boolean);
  const school = demo.orgUnits.find((o) => o.level === 'school' && o.path.startsWith(orgPathOf(orgId)))!;
  const schoolPath = school.path.split('/').filter(Boolean);
  return {
    teacherId: teacher.id,
    nationalTeacherNumber: teacher.nationalTeacherNumber,
    orgId,
    // The county of the organisation (or the first county below it).
    countyId: schoolPath[schoolPath.length - 2]!,
    provinceCode: path[1] ?? schoolPath[1]!,
    schoolId: school.id,
  };
};

// ---------------------------------------------------------------------------------------------
// Viewers: 15 administrators, teacher, partner with and without scope, analyst, auditor.

export interface MatrixViewer {
  key: string;
  role: Role;
  org: string;
  teacherId?: string;
  clientId?: string;
  scopes: string[];
  /** Own-organisation target. */
  own: Target;
  /** Another organisation's (or another teacher's) target; null for the national level. */
  other: Target | null;
}

const ADMIN_VIEWERS: MatrixViewer[] = (Object.keys(OWN_CHAIN) as OrgLevel[]).flatMap((level) =>
  (['system_admin', 'info_admin', 'query'] as AccountKind[]).map((kind) => {
    const otherOrg = OTHER_AT[level];
    return {
      key: `${level}_${kind}`,
      role: `${level}_${kind}` as Role,
      org: OWN_CHAIN[level],
      scopes: [],
      own: targetOf(OWN_CHAIN[level], OWN_TEACHER),
      other: otherOrg ? targetOf(otherOrg, teachersUnder(otherOrg)[0]!) : null,
    };
  }),
);

const provinceOther = targetOf('110000', teachersUnder('110000')[0]!);

export const VIEWERS: MatrixViewer[] = [
  ...ADMIN_VIEWERS,
  {
    key: 'teacher',
    role: 'teacher',
    org: OWN_CHAIN.school,
    teacherId: OWN_TEACHER.id,
    scopes: [],
    own: targetOf(OWN_CHAIN.school, OWN_TEACHER),
    // Another teacher of the same school, and another school's organisation.
    other: { ...targetOf(OTHER_AT.school!, PEER_TEACHER) },
  },
  {
    key: 'partner',
    role: 'partner',
    org: '420000',
    clientId: 'demo-partner',
    scopes: ['dossier:read', 'org:read'],
    own: targetOf('420000', OWN_TEACHER),
    other: provinceOther,
  },
  {
    key: 'partner_without_scope',
    role: 'partner',
    org: '420000',
    clientId: 'demo-partner',
    scopes: [],
    own: targetOf('420000', OWN_TEACHER),
    other: provinceOther,
  },
  { key: 'analyst', role: 'analyst', org: '420000', scopes: [], own: targetOf('420000', OWN_TEACHER), other: provinceOther },
  { key: 'auditor', role: 'auditor', org: '420000', scopes: [], own: targetOf('420000', OWN_TEACHER), other: provinceOther },
];

/** The viewer as the gateway forwards it to subgraphs. */
export function subgraphViewer(v: MatrixViewer): Viewer {
  return {
    subject: `matrix-${v.key}`,
    role: v.role,
    orgId: v.org,
    orgPath: orgPathOf(v.org),
    ...(v.teacherId ? { teacherId: v.teacherId } : {}),
    ...(v.clientId ? { clientId: v.clientId } : {}),
    scopes: v.scopes,
  };
}

/** Token claims for the gateway. */
export function tokenClaims(v: MatrixViewer): Record<string, string> {
  return {
    sub: `matrix-${v.key}`,
    ...(v.teacherId ? { teacher_id: v.teacherId } : {}),
    ...(v.clientId ? { client_id: v.clientId, scope: v.scopes.join(' ') } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Audiences: who a field is granted to.

export interface Audience {
  label: string;
  test(v: MatrixViewer): boolean;
}
const audience = (label: string, test: (v: MatrixViewer) => boolean): Audience => ({ label, test });
const LEVELS: OrgLevel[] = ['national', 'province', 'city', 'county', 'school'];

const adminOf = (kinds: AccountKind[], levels: OrgLevel[] = LEVELS) =>
  audience(`${kinds.join('/')}${levels.length === 5 ? '' : `@${levels.join('/')}`}`, (v) => {
    const admin = parseAdminRole(v.role);
    return admin !== null && kinds.includes(admin.kind) && levels.includes(admin.level);
  });

export const A = {
  anyone: audience('anyone', () => true),
  anyAdmin: adminOf(['system_admin', 'info_admin', 'query']),
  recordReaders: adminOf(['info_admin', 'query']),
  systemAdmin: adminOf(['system_admin']),
  infoAdmin: (...levels: OrgLevel[]) => adminOf(['info_admin'], levels.length ? levels : LEVELS),
  recordReadersAt: (...levels: OrgLevel[]) => adminOf(['info_admin', 'query'], levels),
  teacher: audience('teacher', (v) => v.role === 'teacher'),
  partner: (scope: string) => audience(`partner[${scope}]`, (v) => v.role === 'partner' && v.scopes.includes(scope)),
  analyst: audience('analyst', (v) => v.role === 'analyst'),
  auditor: audience('auditor', (v) => v.role === 'auditor'),
};

// ---------------------------------------------------------------------------------------------
// The table.

/**
 * How an allowed viewer's answer depends on the organisation:
 * - `entity`: own target → the object; other target → null (or NOT_FOUND / FORBIDDEN), never data.
 * - `rows`: own target → at least one row; other target → no rows (or NOT_FOUND / FORBIDDEN).
 * - `subtree`: no target argument; every row returned concerns a teacher of the viewer's reach.
 * - `global`: reference data or the viewer itself, the same for every organisation.
 * - `scoped`: own target → anything the viewer may see; other target → nothing (rows may not exist in the demo data).
 * - `write`: a mutation; with another organisation's ids it must store nothing (NOT_FOUND / FORBIDDEN).
 */
export type ScopeKind = 'entity' | 'rows' | 'subtree' | 'global' | 'scoped' | 'write';

export interface QueryCase {
  allowed: Audience[];
  scope: ScopeKind;
  /** Operation text selecting the root field unaliased; `$`-variables from `vars`. */
  query: string;
  vars(t: Target): Record<string, unknown>;
  /** For `subtree`: whether a returned row is within the viewer's reach (default: its teacher is). */
  rowInReach?: (row: any, v: MatrixViewer) => boolean;
}

export interface MutationCase {
  allowed: Audience[];
  /** Who the other-organisation write is tried as (default: every allowed viewer), where a role rule answers first. */
  targetFor?: Audience[];
  /** Codes that mean "outside your scope" for this mutation (default NOT_FOUND, FORBIDDEN). */
  scopeCodes?: string[];
  /** Input fields that pass validation, so that only the scope can refuse another organisation's ids. */
  valid?: Record<string, unknown>;
  /** Input fields filled from the target (other-organisation ids); the rest is generated from the schema. */
  target?: (t: Target) => Record<string, unknown>;
}

const YEAR = 2026;
const ON = '2026-09-01';

export const QUERIES: Record<string, QueryCase> = {
  // teacher-registry
  viewer: { allowed: [A.anyone], scope: 'global', query: '{ viewer { role } }', vars: () => ({}) },
  // The tree itself (codes, names, levels) is published reference data (GB/T 2260, school codes):
  // another unit is found by code, but everything under it is scoped (see NESTED).
  orgUnit: {
    allowed: [A.anyAdmin, A.teacher, A.analyst, A.partner('org:read'), A.partner('dossier:read')],
    scope: 'global',
    query: 'query ($id: ID!) { orgUnit(id: $id) { id name } }',
    vars: (t) => ({ id: t.orgId }),
  },
  teacher: {
    allowed: [A.recordReaders, A.teacher, A.partner('dossier:read')],
    scope: 'entity',
    query: 'query ($id: ID!) { teacher(id: $id) { id name } }',
    vars: (t) => ({ id: t.teacherId }),
  },
  teacherByNumber: {
    allowed: [A.recordReaders, A.teacher, A.partner('dossier:read')],
    scope: 'entity',
    query: 'query ($n: String!) { teacherByNumber(nationalTeacherNumber: $n) { id name } }',
    vars: (t) => ({ n: t.nationalTeacherNumber }),
  },
  teachers: {
    allowed: [A.recordReaders, A.teacher, A.partner('dossier:read')],
    scope: 'rows',
    query: 'query ($org: ID) { teachers(orgUnitId: $org, first: 100) { totalCount nodes { id } } }',
    vars: (t) => ({ org: t.orgId }),
  },
  changeRequest: {
    allowed: [A.recordReaders, A.teacher],
    scope: 'global',
    query: 'query ($id: ID!) { changeRequest(id: $id) { id } }',
    vars: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
  },
  changeRequests: {
    allowed: [A.recordReaders, A.teacher],
    scope: 'subtree',
    query: '{ changeRequests(first: 100) { nodes { id teacher { id } } } }',
    vars: () => ({}),
  },
  accounts: {
    allowed: [A.systemAdmin],
    scope: 'scoped',
    query: 'query ($org: ID) { accounts(organisationId: $org, first: 100) { totalCount nodes { id } } }',
    vars: (t) => ({ org: t.orgId }),
  },
  auditTrail: { allowed: [A.auditor], scope: 'global', query: '{ auditTrail { id } }', vars: () => ({}) },
  teacherImportTemplate: { allowed: [A.infoAdmin()], scope: 'global', query: '{ teacherImportTemplate { fileName } }', vars: () => ({}) },
  // Jobs are visible to their starter and organisation only (tests/teacher-registry/import-upload.test.ts).
  teacherImport: { allowed: [A.infoAdmin()], scope: 'global', query: 'query ($id: ID!) { teacherImport(id: $id) { id } }', vars: () => ({ id: '00000000-0000-4000-8000-000000000000' }) },

  // training
  currentTrainingCycle: {
    allowed: [A.anyAdmin, A.teacher, A.analyst, A.partner('dossier:read')],
    scope: 'global',
    query: '{ currentTrainingCycle { id } }',
    vars: () => ({}),
  },
  creditRules: {
    allowed: [A.anyAdmin, A.teacher, A.analyst, A.partner('dossier:read')],
    scope: 'global',
    query: 'query ($p: String!) { creditRules(provinceCode: $p) { provinceCode } }',
    vars: (t) => ({ p: t.provinceCode }),
  },
  trainingCourses: {
    allowed: [A.anyAdmin, A.teacher],
    scope: 'global',
    query: '{ trainingCourses(first: 100) { totalCount nodes { id } } }',
    vars: () => ({}),
  },
  trainingCourse: {
    allowed: [A.anyAdmin, A.teacher],
    scope: 'global',
    query: 'query ($id: ID!) { trainingCourse(id: $id) { id } }',
    vars: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
  },
  creditDeclarations: {
    allowed: [A.recordReaders, A.teacher],
    scope: 'subtree',
    query: '{ creditDeclarations(first: 100) { totalCount nodes { id teacher { id } } } }',
    vars: () => ({}),
  },

  // staffing-quota
  staffingStandards: {
    allowed: [A.anyAdmin, A.teacher, A.analyst, A.partner('dossier:read')],
    scope: 'global',
    query: 'query ($p: String) { staffingStandards(provinceCode: $p) { id } }',
    vars: (t) => ({ p: t.provinceCode }),
  },
  staffingExtraRules: {
    allowed: [A.anyAdmin, A.teacher, A.analyst, A.partner('dossier:read')],
    scope: 'global',
    query: 'query ($p: String) { staffingExtraRules(provinceCode: $p) { id } }',
    vars: (t) => ({ p: t.provinceCode }),
  },
  postSlotAvailability: {
    allowed: [A.anyAdmin, A.partner('dossier:read')],
    scope: 'entity',
    query: 'query ($org: ID!) { postSlotAvailability(orgUnitId: $org, category: PROFESSIONAL_TECHNICAL, grade: 8) { ceiling } }',
    vars: (t) => ({ org: t.schoolId }),
  },
  transfer: {
    allowed: [A.recordReaders],
    scope: 'global',
    query: 'query ($id: ID!) { transfer(id: $id) { id } }',
    vars: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
  },
  transfers: {
    allowed: [A.recordReaders],
    scope: 'subtree',
    query: '{ transfers(first: 100) { totalCount nodes { id fromUnit { id } toUnit { id } } } }',
    vars: () => ({}),
    // Both sides approve a transfer, so the receiving side sees it (without the teacher's archive).
    rowInReach: (row, v) => [row.fromUnit?.id, row.toUnit?.id].some((id) => id && orgPathOf(id).startsWith(orgPathOf(v.org))),
  },
  rotationEligibility: {
    allowed: [A.recordReadersAt('national', 'province', 'city', 'county')],
    scope: 'entity',
    query: 'query ($c: ID!) { rotationEligibility(countyId: $c, year: 2026) { eligibleCount } }',
    vars: (t) => ({ c: t.countyId }),
  },
  rotationPlan: {
    allowed: [A.recordReadersAt('national', 'province', 'city', 'county')],
    scope: 'global',
    query: 'query ($c: ID!) { rotationPlan(countyId: $c, year: 2026) { id } }',
    vars: (t) => ({ c: t.countyId }),
  },
  staffingDemandForecast: {
    allowed: [A.anyAdmin, A.analyst],
    scope: 'entity',
    query: 'query ($org: ID!) { staffingDemandForecast(orgUnitId: $org, baseYear: 2026, years: 2) { teachersInPost } }',
    vars: (t) => ({ org: t.orgId }),
  },

  // evaluation
  excellentCap: {
    allowed: [A.recordReadersAt('school')],
    scope: 'global',
    query: '{ excellentCap(year: 2025) { maxExcellent } }',
    vars: () => ({}),
  },
  ethicsAccessLog: {
    allowed: [A.auditor, A.infoAdmin('national', 'province')],
    scope: 'subtree',
    query: '{ ethicsAccessLog(first: 100) { nodes { id teacher { id } } } }',
    vars: () => ({}),
  },
  excellentCapRules: { allowed: [A.recordReaders], scope: 'global', query: '{ excellentCapRules { id } }', vars: () => ({}) },
  awardProgrammes: { allowed: [A.recordReaders], scope: 'global', query: '{ awardProgrammes(first: 10) { totalCount } }', vars: () => ({}) },
  qualificationRegistrationsDue: {
    allowed: [A.recordReaders],
    scope: 'subtree',
    query: 'query ($d: Date!) { qualificationRegistrationsDue(dueBy: $d, first: 100) { totalCount nodes { id teacher { id } } } }',
    vars: () => ({ d: '2031-12-31' }),
  },
};

const teacherTarget = (t: Target) => ({ teacherId: t.teacherId });

/** A GB 11643 resident ID number with its mod-11 check character. */
export function residentIdNumber(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11];
}

const REASON = { reason: 'authorization matrix: scope check' };
const NEW_TEACHER = {
  name: '矩阵测试',
  gender: 'MALE',
  birthDate: '1990-01-01',
  idDocumentType: '1',
  idDocumentNumber: residentIdNumber('42011119900101123'),
  ethnicity: '01',
  politicalAffiliation: '13',
  educationLevel: '21',
  staffCategory: '1',
  onQuota: true,
  employmentForm: '1',
  startedWorkOn: '2012-09-01',
  joinedSchoolOn: '2012-09-01',
};
const schoolTarget = (t: Target) => ({ teacherId: t.teacherId, schoolId: t.schoolId, orgUnitId: t.schoolId });

export const MUTATIONS: Record<string, MutationCase> = {
  // teacher-registry: information administrators write their subtree; teachers their own archive.
  revealPersonalDetails: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget, valid: REASON },
  registerTeacher: { allowed: [A.infoAdmin()], target: (t) => ({ schoolId: t.schoolId }), valid: NEW_TEACHER },
  // Any information administrator reaches the service; approval itself is the county's (RULE_VIOLATION otherwise).
  approveTeacherRecord: { allowed: [A.infoAdmin()], target: (t) => ({ id: t.teacherId }), targetFor: [A.infoAdmin('national', 'county')] },
  deleteTeacher: { allowed: [A.infoAdmin()], target: (t) => ({ id: t.teacherId }) },
  addIdentificationDocument: { allowed: [A.infoAdmin()], target: teacherTarget, valid: { documentType: 'A', documentNumber: 'E12345678', validUntil: '2030-01-01' } },
  addEducationRecord: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget, valid: { startsOn: '2008-09-01', endsOn: '2012-07-01', institution: '华中师范大学', educationLevel: '21' } },
  addWorkHistoryRecord: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget },
  addTitleAppointment: { allowed: [A.infoAdmin()], target: teacherTarget, valid: { title: 'second', appointedOn: '2015-09-01' } },
  addQualificationCertificate: { allowed: [A.infoAdmin()], target: teacherTarget, valid: { kind: '4', certificateNumber: '20124200000001', issuedOn: '2012-07-01' } },
  addSkillCertificate: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget },
  addContact: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget, valid: { mobile: '13800138000', validFrom: '2026-01-01' } },
  // Pay is entered by the school (RULE_VIOLATION above it).
  addPayRecord: {
    allowed: [A.infoAdmin()],
    target: teacherTarget,
    targetFor: [A.infoAdmin('school')],
    valid: { postGrade: 10, salaryStep: 5, basicMonthlyPay: 5000, monthlyAllowances: 1000, effectiveFrom: '2026-01-01' },
  },
  revealPay: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget, valid: REASON },
  // Accounts (DOMAIN.md §2): system administrators, for their own level and the administrators one level down.
  createAccount: {
    allowed: [A.systemAdmin],
    target: (t) => ({ organisationId: t.orgId, role: `${levelOfOrgCode(t.orgId)}_query` }),
    valid: { subject: 'matrix-account', name: '矩阵测试账号' },
    // The accounts service answers "The organisation is outside your area." as a rule violation.
    scopeCodes: ['NOT_FOUND', 'FORBIDDEN', 'RULE_VIOLATION'],
  },
  disableAccount: { allowed: [A.systemAdmin], valid: REASON },
  proposeTeacherChange: { allowed: [A.infoAdmin(), A.teacher], target: teacherTarget },
  reviseChangeRequest: { allowed: [A.infoAdmin(), A.teacher] },
  submitChangeRequest: { allowed: [A.infoAdmin(), A.teacher] },
  schoolApproveChangeRequest: { allowed: [A.infoAdmin()] },
  countyApproveChangeRequest: { allowed: [A.infoAdmin()] },
  returnChangeRequest: { allowed: [A.infoAdmin()] },
  withdrawChangeRequest: { allowed: [A.infoAdmin(), A.teacher] },
  importTeachers: { allowed: [A.infoAdmin()] },
  importTeachersFromUpload: { allowed: [A.infoAdmin()] },

  // training
  setCreditPolicy: { allowed: [A.infoAdmin()], target: (t) => ({ provinceCode: t.provinceCode }), valid: { effectiveFrom: '2040-01-01', cycleRequiredCredits: 360, cycleRequiredHours: 360, sourceDocument: '矩阵测试〔2040〕1号' } },
  setCreditConversionRule: { allowed: [A.infoAdmin()], target: (t) => ({ provinceCode: t.provinceCode }), valid: { effectiveFrom: '2040-01-01', sourceDocument: '矩阵测试〔2040〕1号' } },
  createTrainingProgramme: { allowed: [A.infoAdmin()] },
  createTrainingCourse: { allowed: [A.infoAdmin()] },
  enrolInTrainingCourse: { allowed: [A.teacher, A.infoAdmin()], target: teacherTarget },
  recordCourseCompletion: { allowed: [A.infoAdmin()] },
  declareTraining: { allowed: [A.teacher, A.infoAdmin()], target: teacherTarget },
  reviewCreditDeclaration: { allowed: [A.infoAdmin('school')] },
  decideCreditDeclaration: { allowed: [A.infoAdmin()] },
  convertCredits: { allowed: [A.infoAdmin('national', 'province', 'city', 'county')], target: teacherTarget, valid: { toDegree: true, ...REASON } },
  applyCredits: { allowed: [A.infoAdmin()], target: teacherTarget },

  // staffing-quota
  recordStaffingStandard: { allowed: [A.infoAdmin()], target: (t) => ({ provinceCode: t.provinceCode }), valid: { stage: 'PRIMARY', variant: 'ALL', studentsPerStaff: 19, effectiveFrom: '2040-01-01', source: '矩阵测试' } },
  recordStaffingExtraRule: { allowed: [A.infoAdmin()], target: (t) => ({ provinceCode: t.provinceCode }), valid: { kind: 'BOARDING', boardersPerStaff: 40, effectiveFrom: '2040-01-01', source: '矩阵测试' } },
  recordRotationParameters: { allowed: [A.infoAdmin()], target: (t) => ({ provinceCode: t.provinceCode, orgUnitId: t.countyId }) },
  setSchoolDesignation: { allowed: [A.infoAdmin()], target: schoolTarget },
  exemptFromRotation: { allowed: [A.infoAdmin()], target: teacherTarget },
  recordEnrolment: { allowed: [A.infoAdmin()], target: schoolTarget },
  setApprovedQuota: { allowed: [A.infoAdmin()], target: schoolTarget },
  setPostPlanEntry: { allowed: [A.infoAdmin()], target: schoolTarget },
  appointToPost: { allowed: [A.infoAdmin()], target: teacherTarget },
  endPostAppointment: { allowed: [A.infoAdmin()] },
  changeEmploymentTerms: { allowed: [A.infoAdmin()], target: teacherTarget },
  recordApprovedLeave: {
    allowed: [A.infoAdmin()],
    target: teacherTarget,
    valid: { reason: 'MATERNITY', startsOn: '2026-03-01', endsOn: '2026-08-31', documentRef: '矩阵测试〔2026〕1号' },
  },
  requestTransfer: { allowed: [A.infoAdmin()], target: (t) => ({ teacherId: t.teacherId, fromOrgUnitId: t.schoolId, toOrgUnitId: OWN_CHAIN.school }), valid: { kind: 'TRANSFER_WITHIN_PROVINCE', effectiveOn: '2026-12-01', onQuota: true } },
  decideTransfer: { allowed: [A.infoAdmin()] },
  createRotationPlan: { allowed: [A.infoAdmin()], target: (t) => ({ countyId: t.countyId }) },
  addRotationAssignment: { allowed: [A.infoAdmin()], target: teacherTarget, valid: { startsOn: '2026-09-01', endsOn: '2027-07-31' } },
  submitRotationPlan: { allowed: [A.infoAdmin()] },
  completeRotation: { allowed: [A.infoAdmin()] },

  // evaluation
  enterAnnualAssessment: { allowed: [A.infoAdmin('school')], target: teacherTarget },
  changeAnnualAssessmentGrade: { allowed: [A.infoAdmin('school')] },
  recordEthicsEntry: { allowed: [A.infoAdmin('national', 'province', 'city', 'county')], target: teacherTarget },
  correctEthicsEntry: { allowed: [A.infoAdmin('national', 'province', 'city', 'county')] },
  applyForQualificationRegistration: { allowed: [A.teacher] },
  fileQualificationRegistration: { allowed: [A.infoAdmin('school')] },
  registerQualification: { allowed: [A.infoAdmin('county')] },
  registerDueQualifications: { allowed: [A.infoAdmin('county')] },
  applyForTitle: { allowed: [A.teacher] },
  recommendTitleApplication: { allowed: [A.infoAdmin('school')] },
  preReviewTitleApplication: { allowed: [A.infoAdmin('county', 'city')] },
  decideTitleApplication: { allowed: [A.infoAdmin('city', 'province')] },
  appointTitle: { allowed: [A.infoAdmin('school')] },
  addExcellentCapRule: { allowed: [A.infoAdmin('national', 'province')] },
  createAwardProgramme: { allowed: [A.infoAdmin()] },
  nominateForAward: { allowed: [A.infoAdmin('school', 'county')], target: teacherTarget },
  decideAwardNomination: { allowed: [A.infoAdmin()] },
};

export const isAllowed = (allowed: Audience[], v: MatrixViewer) => allowed.some((a) => a.test(v));

// ---------------------------------------------------------------------------------------------
// The composed supergraph: its root fields, and generated inputs for mutations.

export interface RootField {
  operation: 'Query' | 'Mutation';
  name: string;
  subgraph: string;
  field: GraphQLField<unknown, unknown>;
}

export function supergraphRootFields(): { api: GraphQLSchema; fields: RootField[] } {
  const supergraph = Supergraph.build(readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'));
  const api = supergraph.apiSchema().toGraphQLJSSchema();
  // join__Graph enum values carry the subgraph's name.
  const graphs = new Map(
    [...supergraph.subgraphs()].map((s) => [s.name.toUpperCase().replace(/-/g, '_'), s.name] as const),
  );
  const fields: RootField[] = [];
  for (const operation of ['Query', 'Mutation'] as const) {
    const type = api.getType(operation) as unknown as { getFields(): Record<string, GraphQLField<unknown, unknown>> } | undefined;
    if (!type) continue;
    const full = supergraph.schema.type(operation) as unknown as { field(name: string): { appliedDirectivesOf(name: string): { arguments(): { graph: string } }[] } };
    for (const field of Object.values(type.getFields())) {
      const owners = full.field(field.name).appliedDirectivesOf('join__field').map((d) => graphs.get(d.arguments().graph) ?? d.arguments().graph);
      fields.push({ operation, name: field.name, subgraph: owners[0] ?? 'unknown', field });
    }
  }
  return { api, fields };
}

/**
 * A well-formed value of an input type: the shield must be what answers, not validation. Ids are
 * well-formed UUIDs that match nothing, so an allowed viewer reaches the resolver and writes nothing.
 */
export function sampleValue(type: GraphQLInputType, name: string, overrides: Record<string, unknown> = {}): unknown {
  if (name in overrides) return overrides[name];
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return [sampleValue(inner.ofType, name, overrides)];
  if (isEnumType(inner)) return inner.getValues()[0]!.name;
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      if (isNonNullType(field.type) || field.name in overrides) value[field.name] = sampleValue(field.type, field.name, overrides);
    }
    return value;
  }
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'ID':
        return '00000000-0000-4000-8000-000000000000';
      case 'Int':
        return name === 'year' || name.endsWith('Year') ? YEAR : 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'Date':
        return ON;
      default:
        return 'matrix';
    }
  }
  throw new Error(`no sample for ${String(getNamedType(type))}`);
}

/** A mutation operation selecting only `__typename` and the payload's errors. */
export function mutationOperation(field: GraphQLField<unknown, unknown>, overrides: Record<string, unknown> = {}) {
  const variables: Record<string, unknown> = {};
  const defs: string[] = [];
  const args: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type)) continue;
    variables[arg.name] = sampleValue(arg.type, arg.name, overrides);
    defs.push(`$${arg.name}: ${String(arg.type)}`);
    args.push(`${arg.name}: $${arg.name}`);
  }
  const call = args.length ? `${field.name}(${args.join(', ')})` : field.name;
  return { query: `mutation${defs.length ? ` (${defs.join(', ')})` : ''} { ${call} { __typename errors { code field message } } }`, variables };
}

// ---------------------------------------------------------------------------------------------
// `_entities`: every entity type each subgraph resolves, asked for a field that only the viewer's
// reach may fill: person fields for Teacher, aggregates for OrgUnit.

export interface EntityProbe {
  subgraph: string;
  typename: 'Teacher' | 'OrgUnit';
  selection: string;
  readers: Audience[];
  /** The id of the target this probe looks up. */
  id(t: Target): string;
  /** Readers for whom the own answer may legitimately be empty (small-cell suppression). */
  ownMayBeEmpty?: (v: MatrixViewer) => boolean;
  /** True when the answer carries data about the target. */
  hasData(entity: any): boolean;
}

const personReaders = [A.recordReaders, A.teacher, A.partner('dossier:read')];
const aggregateReaders = [A.anyAdmin, A.analyst];
const nonEmpty = (value: unknown) => value != null && (!Array.isArray(value) || value.length > 0);

export const ENTITY_PROBES: EntityProbe[] = [
  { subgraph: 'teacher-registry', typename: 'Teacher', selection: 'name', readers: personReaders, id: (t) => t.teacherId, hasData: (e) => nonEmpty(e?.name) },
  {
    subgraph: 'training',
    typename: 'Teacher',
    selection: 'trainingProgress { completedHours }',
    readers: personReaders,
    id: (t) => t.teacherId,
    hasData: (e) => nonEmpty(e?.trainingProgress),
  },
  { subgraph: 'staffing-quota', typename: 'Teacher', selection: 'employments { onQuota }', readers: personReaders, id: (t) => t.teacherId, hasData: (e) => nonEmpty(e?.employments) },
  { subgraph: 'evaluation', typename: 'Teacher', selection: 'annualAssessments { year }', readers: personReaders, id: (t) => t.teacherId, hasData: (e) => nonEmpty(e?.annualAssessments) },
  {
    subgraph: 'teacher-registry',
    typename: 'OrgUnit',
    selection: 'statistics { activeTeachers }',
    readers: aggregateReaders,
    id: (t) => t.orgId,
    hasData: (e) => (e?.statistics?.activeTeachers ?? 0) > 0,
  },
  {
    subgraph: 'staffing-quota',
    typename: 'OrgUnit',
    selection: 'staffingQuota(year: 2026) { approved }',
    readers: aggregateReaders,
    id: (t) => t.orgId,
    hasData: (e) => nonEmpty(e?.staffingQuota),
  },
  {
    subgraph: 'training',
    typename: 'OrgUnit',
    // metCount: viewers who may not see persons get no teacher totals from training.
    selection: 'trainingCompletion { metCount }',
    readers: aggregateReaders,
    id: (t) => t.orgId,
    hasData: (e) => (e?.trainingCompletion?.metCount ?? 0) > 0,
    // One school's completion split is small enough to be suppressed for viewers who may not see persons.
    ownMayBeEmpty: (v) => v.key === 'school_system_admin',
  },
];

// ---------------------------------------------------------------------------------------------
// Nested paths to person-level rows and aggregates under a root field that more viewers may use
// (a course's enrolments, another unit's teachers and figures), through the gateway.

export interface NestedCase {
  allowed: Audience[];
  query: string;
  vars(t: Target): Record<string, unknown>;
  /** The teachers (and organisations) the answer names, and whether it carries any figure or row at all. */
  extract(data: any): { teacherIds: string[]; orgIds?: string[]; present: boolean };
  /** Readers for whom the own answer may legitimately be empty (small-cell suppression). */
  ownMayBeEmpty?: (v: MatrixViewer) => boolean;
  /** Whether another organisation's target applies (false where the root lists the viewer's own rows only). */
  hasOther: boolean;
}

const orgQuery = (selection: string) => `query ($id: ID!) { orgUnit(id: $id) { id ${selection} } }`;

export const NESTED: Record<string, NestedCase> = {
  'TrainingCourse.enrolments': {
    allowed: [A.recordReaders, A.teacher],
    query: '{ trainingCourses(first: 100) { nodes { id enrolments { teacher { id } } } } }',
    vars: () => ({}),
    extract: (d) => {
      const ids: string[] = (d?.trainingCourses?.nodes ?? []).flatMap((c: any) => (c?.enrolments ?? []).map((e: any) => e.teacher.id));
      return { teacherIds: ids, present: ids.length > 0 };
    },
    hasOther: false,
  },
  // Every service's part of the audit trail: the auditor sees the actors of its own subtree only.
  'AuditTrail.entries': {
    allowed: [A.auditor],
    query: `{ auditTrail { ${['teacherRegistry', 'training', 'staffingQuota', 'evaluation'].map((part) => `${part}(first: 100) { entries { organisationId } }`).join(' ')} } }`,
    vars: () => ({}),
    extract: (d) => {
      const orgIds: string[] = Object.values(d?.auditTrail ?? {}).flatMap((part: any) => (part?.entries ?? []).map((e: any) => e.organisationId));
      return { teacherIds: [], orgIds, present: orgIds.length > 0 };
    },
    hasOther: false,
  },
  // Personal details and pay stay with administrators who read records and the teacher: never partners.
  'Teacher.identificationDocuments/contacts/payRecords/changeHistory': {
    allowed: [A.recordReaders, A.teacher],
    query: 'query ($id: ID!) { teacher(id: $id) { id identificationDocuments { number } contacts { id } payRecords { id } changeHistory { action } } }',
    vars: (t) => ({ id: t.teacherId }),
    extract: (d) => ({ teacherIds: [], present: ['identificationDocuments', 'contacts', 'payRecords', 'changeHistory'].some((f) => Array.isArray(d?.teacher?.[f])) }),
    hasOther: true,
  },
  // Ethics entries: county-level information administrators and above, and the teacher; partners see ban flags only.
  'Teacher.ethicsEntries': {
    allowed: [A.infoAdmin('national', 'province', 'city', 'county'), A.teacher],
    query: 'query ($id: ID!) { teacher(id: $id) { id ethicsEntries { id } } }',
    vars: (t) => ({ id: t.teacherId }),
    extract: (d) => ({ teacherIds: [], present: Array.isArray(d?.teacher?.ethicsEntries) }),
    hasOther: true,
  },
  'OrgUnit.teachers': {
    allowed: [A.recordReaders, A.teacher, A.partner('dossier:read')],
    query: orgQuery('teachers(first: 100) { totalCount nodes { id } }'),
    vars: (t) => ({ id: t.orgId }),
    extract: (d) => {
      const ids: string[] = (d?.orgUnit?.teachers?.nodes ?? []).map((n: any) => n.id);
      return { teacherIds: ids, present: ids.length > 0 || (d?.orgUnit?.teachers?.totalCount ?? 0) > 0 };
    },
    hasOther: true,
  },
  'OrgUnit.statistics': {
    allowed: [A.anyAdmin, A.analyst],
    query: orgQuery('statistics { activeTeachers }'),
    vars: (t) => ({ id: t.orgId }),
    extract: (d) => ({ teacherIds: [], present: (d?.orgUnit?.statistics?.activeTeachers ?? 0) > 0 }),
    hasOther: true,
  },
  'OrgUnit.staffingQuota': {
    allowed: [A.anyAdmin, A.analyst],
    query: orgQuery('staffingQuota(year: 2026) { approved occupied }'),
    vars: (t) => ({ id: t.orgId }),
    extract: (d) => ({ teacherIds: [], present: d?.orgUnit?.staffingQuota != null }),
    hasOther: true,
  },
  'OrgUnit.trainingCompletion': {
    allowed: [A.anyAdmin, A.analyst],
    query: orgQuery('trainingCompletion { metCount }'),
    vars: (t) => ({ id: t.orgId }),
    extract: (d) => ({ teacherIds: [], present: (d?.orgUnit?.trainingCompletion?.metCount ?? 0) > 0 }),
    ownMayBeEmpty: (v) => v.key === 'school_system_admin',
    hasOther: true,
  },
};
