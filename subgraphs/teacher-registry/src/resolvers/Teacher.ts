import type { Context } from '../context';
import type { TeacherRow } from '../repositories/teachers';
import { BASIC_FIELD_COLUMNS } from '../repositories/teachers';
import type { SubRecordKind, SubRecordRow } from '../repositories/sub-records';
import type { ChangeLogRow } from '../repositories/change-requests';
import { normaliseUuid } from '../../../shared/src/ids';
import {
  AWARD_LEVEL,
  EDUCATION_LEVEL,
  EMPLOYMENT_FORM,
  ETHNICITY,
  ID_DOCUMENT_TYPE,
  POLITICAL_AFFILIATION,
  QUALIFICATION_KIND,
  STAFF_CATEGORY,
  TITLE,
  labelOf,
  type CodeSet,
} from '../domain/code-sets';
import { parseResidentId } from '../domain/resident-id';
import { maskAddress, maskEmail, maskIdNumber, maskPhone } from '../../../shared/src/masking';
import { payRecord } from '../services/pay';

/** A stored code with its label; an unknown code (never written by this service) shows as itself. */
export const archiveCode = (set: CodeSet, code: string | null | undefined) => (code == null ? null : { code, label: labelOf(set, code) ?? code });

const subRecords = (kind: SubRecordKind) => (teacher: TeacherRow, _: unknown, ctx: Context) => ctx.loaders.subRecordsByTeacherId[kind].load(teacher.id);

/** Documents are masked unless built for an audited reveal (revealPersonalDetails). */
export function identificationDocument(type: string, number: string, validUntil: string | null = null, revealed = false) {
  const resident = type === '1' ? parseResidentId(number) : null;
  return {
    type: archiveCode(ID_DOCUMENT_TYPE, type),
    number: revealed ? number : maskIdNumber(number),
    derivedBirthDate: resident?.ok ? resident.facts.birthDate : null,
    derivedGender: resident?.ok ? resident.facts.gender : null,
    validUntil,
  };
}

/** JSON values of the history shown as text: dates and codes as they are, booleans as true/false. */
export const displayValue = (value: unknown): string | null => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));

/** History values of personal-data fields are masked like the fields themselves. */
const MASKED_HISTORY_FIELDS: Record<string, (value: string) => string> = {
  idDocumentNumber: maskIdNumber,
  documentNumber: maskIdNumber,
  mobile: maskPhone,
  email: maskEmail,
  address: maskAddress,
};
const maskedValue = (field: string | null, value: string | null) => {
  const mask = field ? MASKED_HISTORY_FIELDS[field] : undefined;
  return value !== null && mask ? mask(value) : value;
};

export const archiveChange = (row: ChangeLogRow) => ({
  ...row,
  before: maskedValue(row.field, displayValue(row.before)),
  after: maskedValue(row.field, displayValue(row.after)),
  at: new Date(row.at).toISOString(),
});

export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => {
    const id = normaliseUuid(ref.id);
    return id ? ctx.loaders.teacherById.load(id) : null;
  },
  school: (teacher: TeacherRow, _: unknown, ctx: Context) => ctx.loaders.orgUnitById.load(teacher.schoolId),
  idDocument: (teacher: TeacherRow) => (teacher.idDocumentNumber ? identificationDocument(teacher.idDocumentType, teacher.idDocumentNumber) : null),
  identificationDocuments: async (teacher: TeacherRow, _: unknown, ctx: Context) => {
    const others = await ctx.loaders.subRecordsByTeacherId.idDocument.load(teacher.id);
    const primary = teacher.idDocumentNumber ? [identificationDocument(teacher.idDocumentType, teacher.idDocumentNumber)] : [];
    return [...primary, ...others.map((d) => identificationDocument(d.documentType as string, d.documentNumber as string, d.validUntil as string | null))];
  },
  ethnicity: (t: TeacherRow) => archiveCode(ETHNICITY, t.ethnicity),
  politicalAffiliation: (t: TeacherRow) => archiveCode(POLITICAL_AFFILIATION, t.politicalAffiliation),
  educationLevel: (t: TeacherRow) => archiveCode(EDUCATION_LEVEL, t.educationLevel),
  staffCategory: (t: TeacherRow) => archiveCode(STAFF_CATEGORY, t.staffCategory),
  employmentForm: (t: TeacherRow) => archiveCode(EMPLOYMENT_FORM, t.employmentForm),
  title: (t: TeacherRow) => archiveCode(TITLE, t.title),
  educationHistory: subRecords('education'),
  workHistory: subRecords('workHistory'),
  titleAppointments: subRecords('titleAppointment'),
  qualificationCertificates: subRecords('qualification'),
  skillCertificates: subRecords('skillCertificate'),
  contacts: subRecords('contact'),
  awards: subRecords('award'),
  rotationHistory: subRecords('rotation'),
  /** Bands only; every read is audited (one row per request batch). */
  payRecords: async (teacher: TeacherRow, _: unknown, ctx: Context) => {
    const [rows] = await Promise.all([ctx.loaders.subRecordsByTeacherId.pay.load(teacher.id), ctx.loaders.payReadAudit.load(teacher.id)]);
    return rows.map((r) => payRecord(r));
  },
  fieldProvenance: (teacher: TeacherRow) => {
    // Demo and legacy rows carry one entry for every field under '*'.
    const fallback = teacher.provenance['*'];
    return Object.keys(BASIC_FIELD_COLUMNS).flatMap((field) => {
      const entry = teacher.provenance[field] ?? fallback;
      if (!entry) return [];
      return [{ field, sourceSystem: entry.source, enteredBy: entry.enteredBy, enteredRole: entry.role, verified: entry.verified, authority: entry.authority, recordedAt: entry.at ?? null }];
    });
  },
  changeRequests: (teacher: TeacherRow, _: unknown, ctx: Context) => ctx.loaders.changeRequestsByTeacherId.load(teacher.id),
  changeHistory: async (teacher: TeacherRow, args: { first?: number | null }, ctx: Context) => {
    const rows = await ctx.loaders.changeLogByTeacherId.load(teacher.id);
    return rows.slice(0, Math.max(0, Math.min(args.first ?? 50, 500))).map(archiveChange);
  },
};

const provenance = (row: SubRecordRow) => ({
  sourceSystem: row.sourceSystem,
  sourceRef: row.sourceRef,
  enteredBy: row.enteredBy,
  enteredRole: row.enteredRole,
  verified: row.verified,
  recordedAt: new Date(row.recordedAt).toISOString(),
});

export const SubRecordTypes = {
  EducationRecord: { educationLevel: (r: SubRecordRow) => archiveCode(EDUCATION_LEVEL, r.educationLevel as string), provenance },
  WorkHistoryRecord: {
    organisation: (r: SubRecordRow, _: unknown, ctx: Context) => (r.organisationId ? ctx.loaders.orgUnitById.load(r.organisationId as string) : null),
    provenance,
  },
  TitleAppointment: { title: (r: SubRecordRow) => archiveCode(TITLE, r.title as string), provenance },
  QualificationCertificate: { kind: (r: SubRecordRow) => archiveCode(QUALIFICATION_KIND, r.kind as string), provenance },
  SkillCertificate: { provenance },
  ContactRecord: {
    provenance,
    mobile: (r: SubRecordRow & { revealed?: boolean }) => revealOrMask(r, r.mobile, maskPhone),
    email: (r: SubRecordRow & { revealed?: boolean }) => revealOrMask(r, r.email, maskEmail),
    address: (r: SubRecordRow & { revealed?: boolean }) => revealOrMask(r, r.address, maskAddress),
  },
  AwardRecord: { level: (r: SubRecordRow) => archiveCode(AWARD_LEVEL, r.level as string), provenance },
  PayRecord: { provenance },
  RotationRecord: {
    homeOrganisation: (r: SubRecordRow, _: unknown, ctx: Context) => ctx.loaders.orgUnitById.load(r.homeOrgId as string),
    hostOrganisation: (r: SubRecordRow, _: unknown, ctx: Context) => ctx.loaders.orgUnitById.load(r.hostOrgId as string),
    provenance,
  },
};

function revealOrMask(row: { revealed?: boolean }, value: unknown, mask: (v: string) => string): string | null {
  if (typeof value !== 'string') return null;
  return row.revealed ? value : mask(value);
}

/** GB/T 2261.1 codes behind the `Gender` enum. */
export const Gender = { UNKNOWN: 0, MALE: 1, FEMALE: 2, UNSPECIFIED: 9 };
export const TeacherStatus = { ACTIVE: 'active', TRANSFERRED_OUT: 'transferred_out', LEFT: 'left', RETIRED: 'retired' };
export const ArchiveRecordStatus = { DRAFT: 'draft', APPROVED: 'approved' };
