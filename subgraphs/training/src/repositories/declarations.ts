import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import { normaliseUuid } from '../../../shared/src/ids';
import { parseAdminRole } from '../../../shared/src/identity';
import { likePrefix, whereTeacherInScope } from '../../../shared/src/org-scope';
import type { TrainingForm } from '../domain/credit-rules';
import { InputCheck, today } from '../domain/validation';
import { findTeacherInScope, recordAndBank } from './activities';
import { loadCreditRules } from './credit-bank';

export type DeclarationStatus = 'submitted' | 'school_approved' | 'returned' | 'recognised' | 'rejected';

export interface DeclarationRow {
  id: string;
  teacherId: string;
  orgPath: string;
  title: string;
  form: TrainingForm;
  organiser: string;
  hours: number;
  completedOn: string;
  evidenceRef: string;
  status: DeclarationStatus;
  schoolComment: string | null;
  decidedByOrgId: string | null;
  organiserOrgId: string | null;
  rejectionReason: string | null;
  trainingRecordId: string | null;
  version: number;
  createdAt: Date;
}

const COLUMNS = [
  'd.id',
  'd.teacher_id as teacherId',
  'd.org_path as orgPath',
  'd.title',
  'd.form',
  'd.organiser',
  'd.hours',
  'd.completed_on as completedOn',
  'd.evidence_ref as evidenceRef',
  'd.status',
  'd.school_comment as schoolComment',
  'd.decided_by_org_id as decidedByOrgId',
  'd.organiser_org_id as organiserOrgId',
  'd.rejection_reason as rejectionReason',
  'd.training_record_id as trainingRecordId',
  'd.version',
  'd.created_at as createdAt',
];

/** Declarations joined to the teacher's current organisation, restricted to the viewer's scope in SQL. */
function scopedDeclarations(runner: Knex | Knex.Transaction, db: Db, viewer: Viewer) {
  const query = runner(db.t('credit_declaration as d')).join(db.t('teacher_scope as s'), 's.teacher_id', 'd.teacher_id');
  return whereTeacherInScope(query, { teacherId: 'd.teacher_id', orgPath: 's.org_path' }, viewer);
}

export async function findDeclarationsByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<DeclarationRow[]> {
  const valid = ids.map(normaliseUuid).filter((id): id is string => id !== null);
  return scopedDeclarations(db.knex, db, viewer).select(COLUMNS).whereIn('d.id', valid);
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findDeclarationsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<DeclarationRow[]> {
  return db
    .knex(db.t('credit_declaration as d'))
    .select(COLUMNS)
    .whereIn('d.teacher_id', teacherIds as string[])
    .orderBy([{ column: 'd.created_at', order: 'desc' }, { column: 'd.id' }]);
}

/** A page of declarations in scope, oldest first; the cursor is (created_at, id). */
export async function listDeclarations(
  db: Db,
  viewer: Viewer,
  args: { status?: DeclarationStatus | null; limit: number; after: { createdAt: string; id: string } | null },
): Promise<{ rows: (DeclarationRow & { cursorTime: string })[]; total: () => Promise<number> }> {
  const base = () => {
    const q = scopedDeclarations(db.knex, db, viewer);
    if (args.status) q.where('d.status', args.status);
    return q;
  };
  // The cursor carries created_at as PostgreSQL prints it (microseconds): a JavaScript Date would
  // cut it to milliseconds and repeat rows across pages.
  const page = base()
    .select([...COLUMNS, db.knex.raw('d.created_at::text as "cursorTime"')])
    .orderBy([{ column: 'd.created_at' }, { column: 'd.id' }])
    .limit(args.limit + 1);
  if (args.after) page.whereRaw('(d.created_at, d.id) > (?::timestamptz, ?::uuid)', [args.after.createdAt, args.after.id]);
  const rows = (await page) as (DeclarationRow & { cursorTime: string })[];
  return { rows, total: async () => Number(((await base().count('* as n').first()) as { n: number }).n) };
}

async function lockDeclaration(trx: Knex.Transaction, db: Db, viewer: Viewer, declarationId: string): Promise<DeclarationRow> {
  const id = normaliseUuid(declarationId);
  const row = id
    ? ((await scopedDeclarations(trx, db, viewer).first(COLUMNS).where('d.id', id).forUpdate('d')) as DeclarationRow | undefined)
    : undefined;
  if (!row) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No declaration with this id in your scope.', ['input', 'declarationId'])]);
  return row;
}

/**
 * The recognising authority: an information administrator at county level or above whose subtree
 * holds the teacher, or the organiser named on the declaration (or a unit above it).
 */
async function lockDeclarationForDecision(trx: Knex.Transaction, db: Db, viewer: Viewer, declarationId: string): Promise<DeclarationRow> {
  const id = normaliseUuid(declarationId);
  const admin = parseAdminRole(viewer.role);
  const prefix = likePrefix(viewer.orgPath);
  const row =
    id && admin?.kind === 'info_admin'
      ? ((await trx(db.t('credit_declaration as d'))
          .join(db.t('teacher_scope as s'), 's.teacher_id', 'd.teacher_id')
          .first(COLUMNS)
          .where('d.id', id)
          .andWhere((q) => {
            if (admin.level !== 'school') q.orWhere('s.org_path', 'like', prefix);
            q.orWhere('d.organiser_org_path', 'like', prefix);
          })
          .forUpdate('d')) as DeclarationRow | undefined)
      : undefined;
  if (!row) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No declaration with this id that you may recognise.', ['input', 'declarationId'])]);
  return row;
}

async function reload(trx: Knex.Transaction, db: Db, id: string): Promise<DeclarationRow> {
  return (await trx(db.t('credit_declaration as d')).first(COLUMNS).where('d.id', id)) as DeclarationRow;
}

export interface DeclareInput {
  teacherId?: string | null;
  clientRequestId: string;
  title: string;
  form: TrainingForm;
  organiser: string;
  hours: number;
  completedOn: string;
  evidenceRef: string;
  organiserOrgId?: string | null;
}

/** A teacher declares training done elsewhere; a replay (same clientRequestId) returns the first declaration. */
export async function declareTraining(db: Db, viewer: Viewer, input: DeclareInput) {
  const check = new InputCheck()
    .text(input.clientRequestId, ['input', 'clientRequestId'], { max: 100 })
    .text(input.title, ['input', 'title'])
    .text(input.organiser, ['input', 'organiser'])
    .text(input.evidenceRef, ['input', 'evidenceRef'])
    .hours(input.hours, ['input', 'hours'])
    .notInFuture(input.completedOn, today(), ['input', 'completedOn']);
  const teacherId = input.teacherId ?? (viewer.role === 'teacher' ? viewer.teacherId : undefined);
  check.check(Boolean(teacherId), 'teacherId is required when an administrator declares.', ['input', 'teacherId']);
  if (!check.ok) return { declaration: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    const teacher = await findTeacherInScope(trx, db, viewer, teacherId as string);
    if (!teacher) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your scope.', ['input', 'teacherId'])]);
    type Organiser = { orgId: string; orgPath: string };
    let organiser: Organiser | null = null;
    if (input.organiserOrgId) {
      organiser = ((await trx(db.t('org_scope')).first('org_id as orgId', 'org_path as orgPath').where('org_id', input.organiserOrgId)) as Organiser | undefined) ?? null;
      if (!organiser) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No organisation has this code.', ['input', 'organiserOrgId'])]);
    }
    const inserted = await trx.raw(
      `insert into ${db.t('credit_declaration')}
         (id, teacher_id, org_path, client_request_id, title, form, organiser, hours, completed_on, evidence_ref, declared_by, organiser_org_id, organiser_org_path)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (teacher_id, client_request_id) do nothing returning id`,
      [
        randomUUID(), teacher.id, teacher.orgPath, input.clientRequestId.trim(), input.title.trim(), input.form, input.organiser.trim(), input.hours,
        input.completedOn, input.evidenceRef.trim(), viewer.subject, organiser?.orgId ?? null, organiser?.orgPath ?? null,
      ],
    );
    const id =
      (inserted.rows as { id: string }[])[0]?.id ??
      ((await trx(db.t('credit_declaration')).first('id').where({ teacher_id: teacher.id, client_request_id: input.clientRequestId.trim() })) as { id: string }).id;
    return { declaration: await reload(trx, db, id) };
  });
}

/** The school reviews: forward to the recognising authority or return for correction. */
export async function reviewDeclaration(db: Db, viewer: Viewer, input: { declarationId: string; version: number; approve: boolean; comment?: string | null }) {
  const check = new InputCheck();
  if (!input.approve) check.text(input.comment, ['input', 'comment'], { max: 500 });
  else check.text(input.comment, ['input', 'comment'], { required: false, max: 500 });
  if (!check.ok) return { declaration: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    const row = await lockDeclaration(trx, db, viewer, input.declarationId);
    const target: DeclarationStatus = input.approve ? 'school_approved' : 'returned';
    if (row.status === target) return { declaration: row }; // replayed review
    if (row.status !== 'submitted') {
      throw new UserErrorsAbort([userError(UserErrorCode.INVALID_STATE, `The declaration is ${row.status}; only a submitted declaration can be reviewed.`, ['input', 'declarationId'])]);
    }
    await updateWithVersion(trx, db.t('credit_declaration'), { column: 'id', value: row.id }, input.version, {
      status: target,
      school_reviewed_by: viewer.subject,
      school_reviewed_at: trx.fn.now(),
      school_comment: input.comment?.trim() || null,
    });
    return { declaration: await reload(trx, db, row.id) };
  });
}

/**
 * The recognising authority decides. Recognition writes the training record and banks it in the
 * same transaction. The row lock serialises concurrent decisions: the second one finds the
 * declaration already recognised and returns it, so one declaration banks one deposit.
 */
export async function decideDeclaration(db: Db, viewer: Viewer, input: { declarationId: string; version: number; recognise: boolean; reason?: string | null }) {
  const check = new InputCheck();
  if (!input.recognise) check.text(input.reason, ['input', 'reason'], { max: 500 });
  else check.text(input.reason, ['input', 'reason'], { required: false, max: 500 });
  if (!check.ok) return { declaration: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    const row = await lockDeclarationForDecision(trx, db, viewer, input.declarationId);
    const target: DeclarationStatus = input.recognise ? 'recognised' : 'rejected';
    if (row.status === target) return { declaration: row }; // replayed or concurrent decision: nothing added
    if (row.status !== 'school_approved') {
      throw new UserErrorsAbort([
        userError(UserErrorCode.INVALID_STATE, `The declaration is ${row.status}; only a declaration approved by the school can be decided.`, ['input', 'declarationId']),
      ]);
    }
    const patch: Record<string, unknown> = {
      status: target,
      decided_by: viewer.subject,
      decided_by_org_id: viewer.orgId,
      decided_at: trx.fn.now(),
      rejection_reason: input.recognise ? null : input.reason?.trim(),
    };
    if (input.recognise) {
      const teacher = (await trx(db.t('teacher_scope')).first('org_path as orgPath').where('teacher_id', row.teacherId)) as { orgPath: string };
      const { recordId } = await recordAndBank(
        trx,
        db,
        await loadCreditRules(db, trx),
        { teacherId: row.teacherId, title: row.title, form: row.form, hours: row.hours, completedOn: row.completedOn, source: 'declaration', sourceId: row.id, organiser: row.organiser },
        teacher.orgPath,
        viewer.subject,
      );
      patch.training_record_id = recordId;
    }
    await updateWithVersion(trx, db.t('credit_declaration'), { column: 'id', value: row.id }, input.version, patch);
    return { declaration: await reload(trx, db, row.id) };
  });
}
