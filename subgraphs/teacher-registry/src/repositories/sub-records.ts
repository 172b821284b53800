import type { Db } from '../../../shared/src/db';

/**
 * The archive's sub-records, each a table with many rows per teacher over time. One description
 * per kind drives the loader (one statement per kind per request page) and the insert.
 */
export const SUB_RECORD_KINDS = {
  idDocument: { table: 'teacher_id_document', columns: ['document_type as documentType', 'document_number as documentNumber', 'valid_until as validUntil'], orderBy: 'created_at' },
  education: {
    table: 'teacher_education',
    columns: ['starts_on as startsOn', 'ends_on as endsOn', 'institution', 'major', 'education_level as educationLevel', 'degree', 'is_highest as isHighest'],
    orderBy: 'starts_on',
  },
  workHistory: {
    table: 'teacher_work_history',
    columns: ['starts_on as startsOn', 'ends_on as endsOn', 'org_name as organisationName', 'org_id as organisationId', 'position'],
    orderBy: 'starts_on',
  },
  titleAppointment: {
    table: 'teacher_title_appointment',
    columns: ['title', 'appointed_on as appointedOn', 'ends_on as endsOn', 'appointing_org as appointingOrganisation', 'document_ref as documentRef'],
    orderBy: 'appointed_on',
  },
  qualification: {
    table: 'teacher_qualification',
    columns: ['qualification_kind as kind', 'subject', 'certificate_number as certificateNumber', 'issued_on as issuedOn', 'issuing_authority as issuingAuthority'],
    orderBy: 'issued_on',
  },
  skillCertificate: {
    table: 'teacher_skill_certificate',
    columns: ['name', 'level', 'certificate_number as certificateNumber', 'issued_on as issuedOn', 'issuer'],
    orderBy: 'issued_on',
  },
  contact: { table: 'teacher_contact', columns: ['mobile', 'email', 'address', 'postal_code as postalCode', 'valid_from as validFrom'], orderBy: 'valid_from' },
  award: { table: 'teacher_award', columns: ['award_name as name', 'level', 'issuer', 'awarded_on as awardedOn', 'document_ref as documentRef'], orderBy: 'awarded_on' },
  rotation: {
    table: 'teacher_rotation',
    columns: ['home_org_id as homeOrgId', 'host_org_id as hostOrgId', 'kind', 'starts_on as startsOn', 'ends_on as endsOn'],
    orderBy: 'starts_on',
  },
  // Amounts leave this service only as bands, except through the audited revealPay (services/pay.ts).
  pay: {
    table: 'teacher_pay',
    columns: ['post_grade as postGrade', 'salary_step as salaryStep', 'basic_monthly_pay as basicMonthlyPay', 'monthly_allowances as monthlyAllowances', 'effective_from as effectiveFrom'],
    orderBy: 'effective_from',
  },
} as const;
export type SubRecordKind = keyof typeof SUB_RECORD_KINDS;

const PROVENANCE_COLUMNS = [
  'id',
  'teacher_id as teacherId',
  'source_system as sourceSystem',
  'source_ref as sourceRef',
  'entered_by as enteredBy',
  'entered_role as enteredRole',
  'verified',
  'created_at as recordedAt',
];

export interface SubRecordRow {
  id: string;
  teacherId: string;
  sourceSystem: string;
  sourceRef: string | null;
  enteredBy: string;
  enteredRole: string;
  verified: boolean;
  recordedAt: Date | string;
  [column: string]: unknown;
}

/**
 * Rows of one kind for many teachers. Callers pass only ids of teachers the viewer may see (they come
 * from the scoped teacher loader), so no second scope check is needed here.
 */
export async function findSubRecordsByTeacherIds(db: Db, kind: SubRecordKind, teacherIds: readonly string[]): Promise<SubRecordRow[]> {
  const spec = SUB_RECORD_KINDS[kind];
  return db
    .knex(db.t(spec.table))
    .select([...PROVENANCE_COLUMNS, ...spec.columns])
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([spec.orderBy, 'id']);
}
