import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { whereTeacherInScope } from '../../../shared/src/org-scope';

export interface FieldChangeValue {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ChangeRequestRow {
  id: string;
  teacherId: string;
  status: string;
  changes: FieldChangeValue[];
  reason: string | null;
  returnReason: string | null;
  proposedBy: string;
  proposedRole: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Of the teacher, for scoping and review routing. */
  orgPath: string;
}

export const PENDING_STATUSES = ['submitted', 'school_reviewed'];

const COLUMNS = [
  'c.id',
  'c.teacher_id as teacherId',
  'c.status',
  'c.changes',
  'c.reason',
  'c.return_reason as returnReason',
  'c.proposed_by as proposedBy',
  'c.proposed_role as proposedRole',
  'c.version',
  'c.created_at as createdAt',
  'c.updated_at as updatedAt',
  't.org_path as orgPath',
];

function base(db: Db, source: Knex | Knex.Transaction = db.knex) {
  return source(`${db.t('change_request')} as c`).join(`${db.t('teacher')} as t`, 't.id', 'c.teacher_id').select(COLUMNS);
}

export async function findChangeRequestsByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<ChangeRequestRow[]> {
  return whereTeacherInScope(base(db).whereIn('c.id', ids as string[]), { teacherId: 't.id', orgPath: 't.org_path' }, viewer);
}

export async function findChangeRequestsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<ChangeRequestRow[]> {
  return base(db).whereIn('c.teacher_id', teacherIds as string[]).orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
}

export async function listChangeRequests(
  db: Db,
  viewer: Viewer,
  options: { status: string | null; limit: number; afterId: string | null },
): Promise<ChangeRequestRow[]> {
  const query = base(db).orderBy('c.id', 'desc').limit(options.limit + 1);
  if (options.status) query.where('c.status', options.status);
  if (options.afterId) query.where('c.id', '<', options.afterId);
  return whereTeacherInScope(query, { teacherId: 't.id', orgPath: 't.org_path' }, viewer);
}

export async function lockChangeRequest(trx: Knex.Transaction, db: Db, id: string): Promise<ChangeRequestRow | undefined> {
  return base(db, trx).where('c.id', id).forUpdate('c').first();
}

/** Fields of this teacher locked by other pending (submitted, school-reviewed) requests. */
export async function lockedFields(trx: Knex.Transaction, db: Db, teacherId: string, exceptId: string | null = null): Promise<Set<string>> {
  const query = trx(db.t('change_request')).select('changes').where('teacher_id', teacherId).whereIn('status', PENDING_STATUSES);
  if (exceptId) query.whereNot('id', exceptId);
  const rows: { changes: FieldChangeValue[] }[] = await query;
  return new Set(rows.flatMap((r) => r.changes.map((c) => c.field)));
}

export interface ChangeLogRow {
  id: number;
  teacherId: string;
  changeRequestId: string | null;
  action: string;
  field: string | null;
  before: unknown;
  after: unknown;
  actor: string;
  actorRole: string;
  sourceSystem: string;
  authority: string;
  comment: string | null;
  at: Date;
}

const LOG_COLUMNS = [
  'id',
  'teacher_id as teacherId',
  'change_request_id as changeRequestId',
  'action',
  'field',
  'before',
  'after',
  'actor',
  'actor_role as actorRole',
  'source_system as sourceSystem',
  'authority',
  'comment',
  'at',
];

/** The newest `perTeacher` entries of each teacher, in one statement (a window keeps long histories out of a page). */
export async function findChangeLogByTeacherIds(db: Db, teacherIds: readonly string[], perTeacher = MAX_HISTORY_ENTRIES): Promise<ChangeLogRow[]> {
  const ranked = db
    .knex(db.t('teacher_change_log'))
    .select(LOG_COLUMNS)
    .select(db.knex.raw('row_number() over (partition by teacher_id order by id desc) as rank'))
    .whereIn('teacher_id', teacherIds as string[]);
  return db.knex.select(LOG_COLUMNS.map((c) => c.split(' as ').pop()!)).from(ranked.as('ranked')).where('rank', '<=', perTeacher).orderBy('id', 'desc');
}

/** The most `Teacher.changeHistory(first)` returns. */
export const MAX_HISTORY_ENTRIES = 500;

export async function findChangeLogByRequestIds(db: Db, requestIds: readonly string[]): Promise<ChangeLogRow[]> {
  return db.knex(db.t('teacher_change_log')).select(LOG_COLUMNS).whereIn('change_request_id', requestIds as string[]).orderBy('id');
}

export interface ChangeLogEntry {
  teacher_id: string;
  action: string;
  field?: string | null;
  before?: unknown;
  after?: unknown;
  actor: string;
  actor_role: string;
  source_system: string;
  authority: string;
  change_request_id?: string | null;
  comment?: string | null;
}

export async function writeChangeLog(trx: Knex.Transaction, db: Db, entries: ChangeLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    ...e,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
  }));
  for (let i = 0; i < rows.length; i += 1000) await trx(db.t('teacher_change_log')).insert(rows.slice(i, i + 1000));
}
