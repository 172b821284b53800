import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { canSeeTeacher } from '../../../shared/src/org-scope';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { validateBasicInfo, type BasicInfo } from '../domain/basic-info';
import { lockChangeRequest, lockedFields, writeChangeLog, type ChangeRequestRow, type FieldChangeValue } from '../repositories/change-requests';
import { BASIC_FIELD_COLUMNS, lockTeacher, type TeacherRow } from '../repositories/teachers';
import { isInfoAdmin, loadTeacherForWrite } from './archive-writes';

/**
 * Change review (DOMAIN.md §3): a teacher (own record) or an information administrator proposes a
 * correction as a draft; submitting locks the fields it touches; the school reviews; the county
 * approves (核准) — only then are the values written, marked verified, on the request's authority —
 * or either reviewer returns it with a reason. Every step is version-checked and logged.
 */
const abort = (...errors: UserError[]) => new UserErrorsAbort(errors);

/** Fields the school enters; a teacher cannot propose them (DOMAIN.md §3 "who enters what"). */
const SCHOOL_ENTERED = new Set(['staffCategory', 'onQuota', 'employmentForm', 'joinedSchoolOn']);
const CHANGEABLE = ['name', 'formerNames', 'gender', 'birthDate', 'idDocumentType', 'idDocumentNumber', 'birthplaceCode', 'ethnicity', 'politicalAffiliation', 'educationLevel', 'staffCategory', 'onQuota', 'employmentForm', 'startedWorkOn', 'joinedSchoolOn', 'subject'] as const;
type ChangeableField = (typeof CHANGEABLE)[number];

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function currentInfo(teacher: TeacherRow): BasicInfo {
  const { name, formerNames, gender, birthDate, idDocumentType, idDocumentNumber, birthplaceCode, ethnicity, politicalAffiliation, educationLevel, staffCategory, onQuota, employmentForm, startedWorkOn, joinedSchoolOn, subject, title } = teacher;
  return { name, formerNames, gender, birthDate, idDocumentType, idDocumentNumber, birthplaceCode, ethnicity, politicalAffiliation, educationLevel, staffCategory, onQuota, employmentForm, startedWorkOn, joinedSchoolOn, subject, title } as BasicInfo;
}

/** Validates the proposed values against the whole record, so an ID number is checked with the birth date it must match. */
function buildChanges(viewer: Viewer, teacher: TeacherRow, proposed: Partial<Record<ChangeableField, unknown>>): FieldChangeValue[] {
  const current = currentInfo(teacher);
  const errors: UserError[] = [];
  const given = CHANGEABLE.filter((f) => proposed[f] !== undefined);
  if (viewer.role === 'teacher') {
    for (const f of given.filter((f) => SCHOOL_ENTERED.has(f))) {
      errors.push(userError(UserErrorCode.RULE_VIOLATION, `${f}: entered by the school, not by the teacher`, ['input', 'changes', f]));
    }
  }
  const merged = { ...current, ...Object.fromEntries(given.map((f) => [f, proposed[f]])) } as Partial<BasicInfo>;
  const { errors: invalid, value } = validateBasicInfo(merged, (f) => ['input', 'changes', f]);
  errors.push(...invalid);
  if (errors.length) throw abort(...errors);
  const changes = given
    .filter((f) => !sameValue(current[f], value[f]))
    .map((f) => ({ field: f as string, before: current[f] ?? null, after: value[f] ?? null }));
  if (changes.length === 0) throw abort(userError(UserErrorCode.INVALID_INPUT, 'changes: nothing differs from the current record', ['input', 'changes']));
  return changes;
}

function refuseLocked(changes: FieldChangeValue[], locked: Set<string>) {
  const clashes = changes.filter((c) => locked.has(c.field));
  if (clashes.length) {
    throw abort(
      ...clashes.map((c) => userError(UserErrorCode.LOCKED, `${c.field}: locked by another change request under review`, ['input', 'changes', c.field])),
    );
  }
}

async function loadRequest(trx: Knex.Transaction, db: Db, viewer: Viewer, rawId: string): Promise<ChangeRequestRow> {
  const id = normaliseUuid(rawId);
  const request = id ? await lockChangeRequest(trx, db, id) : undefined;
  if (!request || !canSeeTeacher(viewer, { id: request.teacherId, orgPath: request.orgPath })) {
    throw abort(userError(UserErrorCode.NOT_FOUND, `no change request "${rawId}" in your scope`, ['input', 'id']));
  }
  return request;
}

function requireStatus(request: ChangeRequestRow, allowed: string[], step: string) {
  if (!allowed.includes(request.status)) {
    throw abort(userError(UserErrorCode.INVALID_STATE, `cannot ${step} a request that is ${request.status}`, ['input', 'id']));
  }
}

/** The proposer, or an information administrator whose subtree holds the teacher (on the proposer's behalf). */
function requireProposerSide(viewer: Viewer, request: ChangeRequestRow) {
  if (viewer.subject !== request.proposedBy && !isInfoAdmin(viewer)) {
    throw abort(userError(UserErrorCode.RULE_VIOLATION, 'only the proposer or an information administrator may do this', ['input', 'id']));
  }
}

function requireReviewer(viewer: Viewer, level: 'school' | 'county', step: string) {
  const admin = parseAdminRole(viewer.role);
  if (!admin || admin.kind !== 'info_admin' || admin.level !== level) {
    throw abort(userError(UserErrorCode.RULE_VIOLATION, `${step} is done by a ${level} information administrator`, ['input', 'id']));
  }
}

const log = (viewer: Viewer, request: { id: string; teacherId: string }, action: string, extra: { comment?: string | null; field?: string; before?: unknown; after?: unknown } = {}) => ({
  teacher_id: request.teacherId,
  change_request_id: request.id,
  action,
  actor: viewer.subject,
  actor_role: viewer.role,
  source_system: 'teacher-registry',
  authority: `change_request:${request.id}`,
  ...extra,
});

async function step(trx: Knex.Transaction, db: Db, request: ChangeRequestRow, version: number, patch: Record<string, unknown>) {
  await updateWithVersion(trx, db.t('change_request'), { column: 'id', value: request.id }, version, patch);
}

export function proposeTeacherChange(db: Db, viewer: Viewer, input: { teacherId: string; teacherVersion: number; changes: Record<string, unknown>; reason?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    if (viewer.role !== 'teacher' && !isInfoAdmin(viewer)) {
      throw abort(userError(UserErrorCode.RULE_VIOLATION, 'changes are proposed by the teacher or an information administrator', ['input']));
    }
    if (input.reason != null && [...input.reason].length > 500) throw abort(userError(UserErrorCode.INVALID_INPUT, 'reason: must be at most 500 characters', ['input', 'reason']));
    const teacher = await loadTeacherForWrite(trx, db, viewer, input.teacherId, ['input', 'teacherId']);
    if (teacher.version !== input.teacherVersion) {
      throw abort(userError(UserErrorCode.CONFLICT, 'The record was changed by someone else since you loaded it; reload and try again.', ['input', 'teacherVersion']));
    }
    const changes = buildChanges(viewer, teacher, input.changes);
    refuseLocked(changes, await lockedFields(trx, db, teacher.id));
    const id = randomUUID();
    await trx(db.t('change_request')).insert({
      id,
      teacher_id: teacher.id,
      status: 'draft',
      changes: JSON.stringify(changes),
      reason: input.reason ?? null,
      proposed_by: viewer.subject,
      proposed_role: viewer.role,
    });
    await writeChangeLog(trx, db, [log(viewer, { id, teacherId: teacher.id }, 'proposed', { comment: input.reason ?? null, after: changes })]);
    return { changeRequestId: id };
  });
}

export function reviseChangeRequest(db: Db, viewer: Viewer, input: { id: string; version: number; changes: Record<string, unknown>; reason?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    const request = await loadRequest(trx, db, viewer, input.id);
    requireProposerSide(viewer, request);
    requireStatus(request, ['draft', 'returned'], 'revise');
    const teacher = (await lockTeacher(trx, db, request.teacherId)) as TeacherRow;
    const changes = buildChanges(viewer, teacher, input.changes);
    await step(trx, db, request, input.version, { status: 'draft', changes: JSON.stringify(changes), reason: input.reason ?? request.reason, return_reason: null });
    await writeChangeLog(trx, db, [log(viewer, request, 'revised', { comment: input.reason ?? null, before: request.changes, after: changes })]);
    return { changeRequestId: request.id };
  });
}

export function submitChangeRequest(db: Db, viewer: Viewer, input: { id: string; version: number; comment?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    const request = await loadRequest(trx, db, viewer, input.id);
    requireProposerSide(viewer, request);
    requireStatus(request, ['draft'], 'submit');
    refuseLocked(request.changes, await lockedFields(trx, db, request.teacherId, request.id));
    await step(trx, db, request, input.version, { status: 'submitted' });
    await writeChangeLog(trx, db, [log(viewer, request, 'submitted', { comment: input.comment ?? null })]);
    return { changeRequestId: request.id };
  });
}

export function schoolApproveChangeRequest(db: Db, viewer: Viewer, input: { id: string; version: number; comment?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    requireReviewer(viewer, 'school', 'the school review');
    const request = await loadRequest(trx, db, viewer, input.id);
    requireStatus(request, ['submitted'], 'school-approve');
    await step(trx, db, request, input.version, { status: 'school_reviewed' });
    await writeChangeLog(trx, db, [log(viewer, request, 'school_approved', { comment: input.comment ?? null })]);
    return { changeRequestId: request.id };
  });
}

export function countyApproveChangeRequest(db: Db, viewer: Viewer, input: { id: string; version: number; comment?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    requireReviewer(viewer, 'county', 'approval (核准)');
    const request = await loadRequest(trx, db, viewer, input.id);
    requireStatus(request, ['school_reviewed'], 'approve');
    const teacher = (await lockTeacher(trx, db, request.teacherId)) as TeacherRow;
    // Values may have moved since the proposal (an event, another request): approving over them would lose a fact.
    const stale = request.changes.filter((c) => !sameValue((teacher as unknown as Record<string, unknown>)[c.field], c.before));
    if (stale.length) {
      throw abort(
        ...stale.map((c) => userError(UserErrorCode.CONFLICT, `${c.field}: changed since the request was proposed; return it for revision`, ['input', 'id'])),
      );
    }
    await step(trx, db, request, input.version, { status: 'approved' });
    const patch: Record<string, unknown> = {};
    const provenance = { ...teacher.provenance };
    const authority = `change_request:${request.id}`;
    for (const change of request.changes) {
      patch[BASIC_FIELD_COLUMNS[change.field as ChangeableField]] = change.after;
      provenance[change.field] = { enteredBy: request.proposedBy, role: request.proposedRole, source: 'teacher-registry', verified: true, authority, at: new Date().toISOString() };
    }
    // The full record is re-checked with the new values (basicInfoColumns keeps only known columns).
    const { errors } = validateBasicInfo({ ...currentInfo(teacher), ...Object.fromEntries(request.changes.map((c) => [c.field, c.after])) }, (f) => ['input', 'changes', f]);
    if (errors.length) throw abort(...errors);
    await updateWithVersion(trx, db.t('teacher'), { column: 'id', value: teacher.id }, teacher.version, {
      ...patch,
      provenance: JSON.stringify(provenance),
      record_status: 'approved',
    });
    await writeChangeLog(trx, db, [
      ...request.changes.map((c) => log(viewer, request, 'field_changed', { field: c.field, before: c.before, after: c.after, comment: `proposed by ${request.proposedBy} (${request.proposedRole})` })),
      log(viewer, request, 'approved', { comment: input.comment ?? null }),
    ]);
    return { changeRequestId: request.id };
  });
}

export function returnChangeRequest(db: Db, viewer: Viewer, input: { id: string; version: number; reason: string }) {
  return runMutation(db.knex, async (trx) => {
    const reason = input.reason.trim();
    if (reason.length === 0 || [...reason].length > 500) throw abort(userError(UserErrorCode.INVALID_INPUT, 'reason: give 1 to 500 characters', ['input', 'reason']));
    const request = await loadRequest(trx, db, viewer, input.id);
    const admin = parseAdminRole(viewer.role);
    const schoolStep = request.status === 'submitted' && admin?.kind === 'info_admin' && admin.level === 'school';
    const countyStep = request.status === 'school_reviewed' && admin?.kind === 'info_admin' && admin.level === 'county';
    if (!schoolStep && !countyStep) {
      requireStatus(request, ['submitted', 'school_reviewed'], 'return');
      throw abort(userError(UserErrorCode.RULE_VIOLATION, `a ${request.status} request is returned by the ${request.status === 'submitted' ? 'school' : 'county'} information administrator`, ['input', 'id']));
    }
    await step(trx, db, request, input.version, { status: 'returned', return_reason: reason });
    await writeChangeLog(trx, db, [log(viewer, request, 'returned', { comment: reason })]);
    return { changeRequestId: request.id };
  });
}

export function withdrawChangeRequest(db: Db, viewer: Viewer, input: { id: string; version: number; comment?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    const request = await loadRequest(trx, db, viewer, input.id);
    requireProposerSide(viewer, request);
    requireStatus(request, ['draft', 'returned'], 'withdraw');
    await step(trx, db, request, input.version, { status: 'withdrawn' });
    await writeChangeLog(trx, db, [log(viewer, request, 'withdrawn', { comment: input.comment ?? null })]);
    return { changeRequestId: request.id };
  });
}


/**
 * The county approves (核准) a newly collected archive as a whole: every field recorded so far becomes
 * verified on this authority, and from then on the archive is corrected only through change requests.
 */
export function approveTeacherRecord(db: Db, viewer: Viewer, input: { id: string; version: number; comment?: string | null }) {
  return runMutation(db.knex, async (trx) => {
    requireReviewer(viewer, 'county', 'approval (核准)');
    const teacher = await loadTeacherForWrite(trx, db, viewer, input.id, ['input', 'id']);
    if (teacher.recordStatus !== 'draft') throw abort(userError(UserErrorCode.INVALID_STATE, 'the archive is already approved', ['input', 'id']));
    const authority = `record_approval:${viewer.subject}`;
    const at = new Date().toISOString();
    const provenance = Object.fromEntries(Object.entries(teacher.provenance).map(([field, entry]) => [field, { ...entry, verified: true, authority, at }]));
    await updateWithVersion(trx, db.t('teacher'), { column: 'id', value: teacher.id }, input.version, { record_status: 'approved', provenance: JSON.stringify(provenance) });
    await writeChangeLog(trx, db, [
      { teacher_id: teacher.id, action: 'record_approved', before: 'draft', after: 'approved', actor: viewer.subject, actor_role: viewer.role, source_system: 'teacher-registry', authority, comment: input.comment ?? null },
    ]);
    return { teacherId: teacher.id };
  });
}
