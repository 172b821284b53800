import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { enqueueEvent, type TeacherStatusChanged } from '../../../shared/src/events';
import { enqueueEvents } from '../../../shared/src/events-bulk';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { canSeeTeacher, isWithinPath } from '../../../shared/src/org-scope';
import { isIsoDate } from '../../../shared/src/scalars';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { EDUCATION_LEVEL, ID_DOCUMENT_TYPE, QUALIFICATION_KIND, TITLE, hasCode } from '../domain/code-sets';
import { validateBasicInfo, type BasicInfo } from '../domain/basic-info';
import { writeChangeLog } from '../repositories/change-requests';
import { lockTeacher, type ProvenanceEntry, type TeacherRow } from '../repositories/teachers';
import { parseResidentId } from '../domain/resident-id';

export const isInfoAdmin = (viewer: Viewer) => parseAdminRole(viewer.role)?.kind === 'info_admin';
const abort = (...errors: UserError[]) => new UserErrorsAbort(errors);
const today = () => new Date().toISOString().slice(0, 10);

export function provenanceEntry(viewer: Viewer, source: string, authority: string, verified: boolean): ProvenanceEntry {
  return { enteredBy: viewer.subject, role: viewer.role, source, verified, authority, at: new Date().toISOString() };
}

/** The school a write targets, if it exists, is a school, and lies in the viewer's subtree. */
export async function loadSchoolForWrite(trx: Knex.Transaction, db: Db, viewer: Viewer, schoolId: string, field: string[]) {
  const school = await trx(db.t('org_unit')).select('id', 'path', 'level').where('id', schoolId).first();
  if (!school || school.level !== 'school' || !isWithinPath(school.path, viewer.orgPath)) {
    throw abort(userError(UserErrorCode.NOT_FOUND, `no school "${schoolId}" in your organisation`, field));
  }
  return school as { id: string; path: string };
}

/** Locks a teacher the viewer may see, or aborts with NOT_FOUND (never revealing rows outside scope). */
export async function loadTeacherForWrite(trx: Knex.Transaction, db: Db, viewer: Viewer, rawId: string, field: string[]): Promise<TeacherRow> {
  const id = normaliseUuid(rawId);
  const teacher = id ? await lockTeacher(trx, db, id) : undefined;
  if (!teacher || !canSeeTeacher(viewer, teacher)) throw abort(userError(UserErrorCode.NOT_FOUND, `no teacher "${rawId}" in your scope`, field));
  return teacher;
}

/** Database columns of a validated record. */
export function basicInfoColumns(info: BasicInfo) {
  return {
    name: info.name,
    former_names: info.formerNames ?? null,
    gender: info.gender,
    birth_date: info.birthDate,
    id_document_type: info.idDocumentType,
    id_document_number: info.idDocumentNumber,
    birthplace_code: info.birthplaceCode ?? null,
    ethnicity: info.ethnicity,
    political_affiliation: info.politicalAffiliation,
    education_level: info.educationLevel,
    staff_category: info.staffCategory,
    on_quota: info.onQuota,
    employment_form: info.employmentForm,
    started_work_on: info.startedWorkOn,
    joined_school_on: info.joinedSchoolOn,
    subject: info.subject ?? null,
    title: info.title ?? null,
  };
}

/**
 * Inserts already-validated teachers and announces them; shared by registration and import. The
 * national teacher number is province + year started work + a ten-digit serial (一人一号).
 */
export async function insertTeachers(
  trx: Knex.Transaction,
  db: Db,
  viewer: Viewer,
  entries: { info: BasicInfo; school: { id: string; path: string } }[],
  authority: string,
  source = 'teacher-registry',
): Promise<string[]> {
  if (entries.length === 0) return [];
  const serials: { serial: string }[] = (
    await trx.raw(`select nextval('${db.schema}.teacher_number_seq')::text as serial from generate_series(1, ?)`, [entries.length])
  ).rows;
  const rows = entries.map(({ info, school }, i) => {
    const provenance = Object.fromEntries(
      Object.entries(info)
        .filter(([, v]) => v != null)
        .map(([field]) => [field, provenanceEntry(viewer, source, authority, false)]),
    );
    provenance.schoolId = provenanceEntry(viewer, source, authority, false);
    return {
      id: randomUUID(),
      national_teacher_number: `${school.id.slice(2, 4)}${info.startedWorkOn.slice(0, 4)}${serials[i]!.serial.padStart(10, '0')}`,
      ...basicInfoColumns(info),
      school_id: school.id,
      org_path: school.path,
      provenance: JSON.stringify(provenance),
    };
  });
  for (let i = 0; i < rows.length; i += 500) await trx(db.t('teacher')).insert(rows.slice(i, i + 500));
  await writeChangeLog(
    trx,
    db,
    rows.map((r) => ({ teacher_id: r.id, action: 'registered', actor: viewer.subject, actor_role: viewer.role, source_system: source, authority, after: { schoolId: r.school_id } })),
  );
  await enqueueEvents(
    trx,
    db,
    rows.map((row) => ({
      type: 'teacher.registered' as const,
      // birthDate and gender extend the agreed payload: staffing-quota needs them for retirement forecasts.
      payload: { teacherId: row.id, schoolId: row.school_id, orgPath: row.org_path, birthDate: row.birth_date, gender: row.gender },
    })),
  );
  return rows.map((r) => r.id);
}

/** The same person twice: one identification document belongs to one archive. */
export async function findDuplicatePeople(trx: Knex | Knex.Transaction, db: Db, docs: { type: string; number: string }[]) {
  if (docs.length === 0) return [] as { id: string; idDocumentType: string; idDocumentNumber: string; schoolId: string }[];
  const found: { id: string; idDocumentType: string; idDocumentNumber: string; schoolId: string }[] = [];
  // The documents travel as two arrays (two parameters, whatever their number) rather than a
  // row-value IN list: the embedded PGlite answers an IN list of a few hundred parameter pairs with
  // no rows, and PostgreSQL plans the join on the unique index either way.
  for (let i = 0; i < docs.length; i += 5000) {
    const slice = docs.slice(i, i + 5000);
    found.push(
      ...(await trx(db.t('teacher'))
        .select('id', 'id_document_type as idDocumentType', 'id_document_number as idDocumentNumber', 'school_id as schoolId')
        .whereRaw('(id_document_type, id_document_number) in (select * from unnest(?::text[], ?::text[]))', [slice.map((d) => d.type), slice.map((d) => d.number)])),
    );
  }
  return found;
}

export interface RegisterTeacherArgs extends Omit<BasicInfo, 'gender'> {
  gender: number;
  schoolId: string;
}

export function registerTeacher(db: Db, viewer: Viewer, input: RegisterTeacherArgs) {
  return runMutation(db.knex, async (trx) => {
    const { schoolId, ...fields } = input;
    const { errors, value } = validateBasicInfo(fields, (f) => ['input', f]);
    if (errors.length) throw abort(...errors);
    const school = await loadSchoolForWrite(trx, db, viewer, schoolId, ['input', 'schoolId']);
    const [duplicate] = await findDuplicatePeople(trx, db, [{ type: value.idDocumentType, number: value.idDocumentNumber }]);
    if (duplicate) {
      throw abort(userError(UserErrorCode.DUPLICATE, 'idDocumentNumber: a teacher with this identification document is already registered', ['input', 'idDocumentNumber']));
    }
    try {
      const [id] = await insertTeachers(trx, db, viewer, [{ info: value, school }], 'registration');
      return { teacherId: id as string };
    } catch (error) {
      // Two registrations of one person racing each other: the unique index decides, the loser hears DUPLICATE.
      if ((error as { code?: string }).code === '23505') {
        throw abort(userError(UserErrorCode.DUPLICATE, 'idDocumentNumber: a teacher with this identification document is already registered', ['input', 'idDocumentNumber']));
      }
      throw error;
    }
  });
}

export function deleteTeacher(db: Db, viewer: Viewer, input: { id: string; version: number }) {
  return runMutation(db.knex, async (trx) => {
    const teacher = await loadTeacherForWrite(trx, db, viewer, input.id, ['input', 'id']);
    if (teacher.recordStatus === 'approved') {
      throw abort(userError(UserErrorCode.INVALID_STATE, 'an approved archive cannot be deleted; correct it through a change request', ['input', 'id']));
    }
    if (teacher.version !== input.version) {
      throw abort(userError(UserErrorCode.CONFLICT, 'The record was changed by someone else since you loaded it; reload and try again.', ['input', 'version']));
    }
    await trx(db.t('teacher')).where({ id: teacher.id, version: input.version }).delete();
    // The draft was announced at registration: the other subgraphs drop it from their scope, same transaction.
    const removed: TeacherStatusChanged = { teacherId: teacher.id, status: 'deleted', previousStatus: teacher.status, effectiveOn: today(), orgPath: teacher.orgPath };
    await enqueueEvent(trx, db, { type: 'teacher.status-changed', payload: { ...removed } });
    return { deletedTeacherId: teacher.id };
  });
}

// ---------------------------------------------------------------------------------------------
// Sub-records
// ---------------------------------------------------------------------------------------------

type FieldRule = { kind: 'text'; max: number; required?: boolean } | { kind: 'date'; required?: boolean; future?: boolean } | { kind: 'code'; set: typeof TITLE; required?: boolean } | { kind: 'bool' } | { kind: 'pattern'; pattern: RegExp; hint: string };

interface SubRecordSpec {
  table: string;
  /** Teachers enter these themselves; the rest are entered by the school. */
  teacherMayEnter: boolean;
  fields: Record<string, { column: string; rule: FieldRule }>;
  /** Date pair that must be ordered. */
  period?: [string, string];
}

const text = (max: number, required = false): FieldRule => ({ kind: 'text', max, required });
const date = (required = false): FieldRule => ({ kind: 'date', required });

export const SUB_RECORD_INPUTS: Record<string, SubRecordSpec> = {
  idDocument: {
    table: 'teacher_id_document',
    teacherMayEnter: false,
    fields: {
      documentType: { column: 'document_type', rule: { kind: 'code', set: ID_DOCUMENT_TYPE, required: true } },
      documentNumber: { column: 'document_number', rule: text(30, true) },
      // An expiry date lies ahead by nature.
      validUntil: { column: 'valid_until', rule: { kind: 'date', future: true } },
    },
  },
  education: {
    table: 'teacher_education',
    teacherMayEnter: true,
    period: ['startsOn', 'endsOn'],
    fields: {
      startsOn: { column: 'starts_on', rule: date(true) },
      endsOn: { column: 'ends_on', rule: date() },
      institution: { column: 'institution', rule: text(100, true) },
      major: { column: 'major', rule: text(100) },
      educationLevel: { column: 'education_level', rule: { kind: 'code', set: EDUCATION_LEVEL, required: true } },
      degree: { column: 'degree', rule: text(30) },
      isHighest: { column: 'is_highest', rule: { kind: 'bool' } },
    },
  },
  workHistory: {
    table: 'teacher_work_history',
    teacherMayEnter: true,
    period: ['startsOn', 'endsOn'],
    fields: {
      startsOn: { column: 'starts_on', rule: date(true) },
      endsOn: { column: 'ends_on', rule: date() },
      organisationName: { column: 'org_name', rule: text(100, true) },
      organisationId: { column: 'org_id', rule: { kind: 'pattern', pattern: /^(\d{6}|\d{10})$/, hint: 'a GB/T 2260 code or a 10-digit school code' } },
      position: { column: 'position', rule: text(50) },
    },
  },
  titleAppointment: {
    table: 'teacher_title_appointment',
    teacherMayEnter: false,
    period: ['appointedOn', 'endsOn'],
    fields: {
      title: { column: 'title', rule: { kind: 'code', set: TITLE, required: true } },
      appointedOn: { column: 'appointed_on', rule: date(true) },
      endsOn: { column: 'ends_on', rule: date() },
      appointingOrganisation: { column: 'appointing_org', rule: text(100) },
      documentRef: { column: 'document_ref', rule: text(100) },
    },
  },
  qualification: {
    table: 'teacher_qualification',
    teacherMayEnter: false,
    fields: {
      kind: { column: 'qualification_kind', rule: { kind: 'code', set: QUALIFICATION_KIND, required: true } },
      subject: { column: 'subject', rule: text(30) },
      certificateNumber: { column: 'certificate_number', rule: text(30, true) },
      issuedOn: { column: 'issued_on', rule: date(true) },
      issuingAuthority: { column: 'issuing_authority', rule: text(100) },
    },
  },
  skillCertificate: {
    table: 'teacher_skill_certificate',
    teacherMayEnter: true,
    fields: {
      name: { column: 'name', rule: text(100, true) },
      level: { column: 'level', rule: text(30) },
      certificateNumber: { column: 'certificate_number', rule: text(50) },
      issuedOn: { column: 'issued_on', rule: date(true) },
      issuer: { column: 'issuer', rule: text(100) },
    },
  },
  contact: {
    table: 'teacher_contact',
    teacherMayEnter: true,
    fields: {
      mobile: { column: 'mobile', rule: { kind: 'pattern', pattern: /^1\d{10}$/, hint: 'an 11-digit mobile number starting with 1' } },
      email: { column: 'email', rule: { kind: 'pattern', pattern: /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/, hint: 'an e-mail address' } },
      address: { column: 'address', rule: text(200) },
      postalCode: { column: 'postal_code', rule: { kind: 'pattern', pattern: /^\d{6}$/, hint: 'a 6-digit postal code' } },
      validFrom: { column: 'valid_from', rule: date(true) },
    },
  },
};

export function validateSubRecord(spec: SubRecordSpec, input: Record<string, unknown>, path: (field: string) => string[]): { errors: UserError[]; row: Record<string, unknown> } {
  const errors: UserError[] = [];
  const row: Record<string, unknown> = {};
  const invalid = (field: string, message: string) => errors.push(userError(UserErrorCode.INVALID_INPUT, `${field}: ${message}`, path(field)));
  for (const [field, { column, rule }] of Object.entries(spec.fields)) {
    let value = input[field];
    if (typeof value === 'string') value = value.trim() === '' ? null : value.trim();
    if (value == null) {
      if ('required' in rule && rule.required) invalid(field, 'is required');
      row[column] = rule.kind === 'bool' ? false : null;
      continue;
    }
    const s = String(value);
    if (rule.kind === 'text' && [...s].length > rule.max) invalid(field, `must be at most ${rule.max} characters (got ${[...s].length})`);
    if (rule.kind === 'date' && !isIsoDate(s)) invalid(field, `"${s}" is not a calendar date (YYYY-MM-DD)`);
    else if (rule.kind === 'date' && !rule.future && s > today()) invalid(field, 'cannot be in the future');
    if (rule.kind === 'code' && !hasCode(rule.set, s)) invalid(field, `"${s}" is not a code of ${rule.set.standard}`);
    if (rule.kind === 'pattern' && !rule.pattern.test(s)) invalid(field, `must be ${rule.hint}`);
    row[column] = value;
  }
  if (spec.period) {
    const [from, to] = spec.period;
    const start = input[from];
    const end = input[to];
    if (typeof start === 'string' && typeof end === 'string' && isIsoDate(start) && isIsoDate(end) && end < start) invalid(to, `cannot be before ${from}`);
  }
  if (spec.table === 'teacher_contact' && !['mobile', 'email', 'address'].some((f) => input[f] != null && String(input[f]).trim() !== '')) {
    invalid('mobile', 'give at least a mobile number, an e-mail address or an address');
  }
  return { errors, row };
}

export function addSubRecord(db: Db, viewer: Viewer, kind: string, input: Record<string, unknown> & { teacherId: string }) {
  const spec = SUB_RECORD_INPUTS[kind];
  if (!spec) throw new Error(`unknown sub-record kind ${kind}`);
  return runMutation(db.knex, async (trx) => {
    if (viewer.role === 'teacher' && !spec.teacherMayEnter) {
      throw abort(userError(UserErrorCode.RULE_VIOLATION, 'this part of the archive is entered by the school', ['input']));
    }
    const { errors, row } = validateSubRecord(spec, input, (f) => ['input', f]);
    if (errors.length) throw abort(...errors);
    const teacher = await loadTeacherForWrite(trx, db, viewer, input.teacherId, ['input', 'teacherId']);
    if (kind === 'idDocument') await checkFurtherDocument(trx, db, row, teacher);
    const id = randomUUID();
    await trx(db.t(spec.table)).insert({
      id,
      teacher_id: teacher.id,
      ...row,
      source_system: 'teacher-registry',
      entered_by: viewer.subject,
      entered_role: viewer.role,
      verified: false,
    });
    await writeChangeLog(trx, db, [
      { teacher_id: teacher.id, action: `${kind}_added`, after: { recordId: id }, actor: viewer.subject, actor_role: viewer.role, source_system: 'teacher-registry', authority: 'direct_entry' },
    ]);
    return { teacherId: teacher.id, recordId: id };
  });
}

/**
 * A further identification document (passport …): a resident ID number must pass GB 11643 and
 * match the archive's birth date and gender, and no document may belong to two archives.
 */
async function checkFurtherDocument(trx: Knex.Transaction, db: Db, row: Record<string, unknown>, teacher: TeacherRow): Promise<void> {
  const type = String(row.document_type);
  let number = String(row.document_number);
  if (type === '1') {
    const parsed = parseResidentId(number);
    if (!parsed.ok) throw abort(userError(UserErrorCode.INVALID_INPUT, `documentNumber: resident ID number ${parsed.message}`, ['input', 'documentNumber']));
    if (parsed.facts.birthDate !== teacher.birthDate || parsed.facts.gender !== teacher.gender) {
      throw abort(userError(UserErrorCode.INVALID_INPUT, 'documentNumber: birth date or gender in the number differ from the archive', ['input', 'documentNumber']));
    }
    number = parsed.facts.number;
    row.document_number = number;
  }
  const onTeacher = await trx(db.t('teacher')).where({ id_document_type: type, id_document_number: number }).first('id');
  const further = await trx(db.t('teacher_id_document')).where({ document_type: type, document_number: number }).first('id');
  if (onTeacher || further) {
    throw abort(userError(UserErrorCode.DUPLICATE, 'documentNumber: this document is already recorded for a teacher', ['input', 'documentNumber']));
  }
}
