import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { normaliseUuid } from '../../../shared/src/ids';
import { mapToMany } from '../../../shared/src/loaders';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { isWithinPath } from '../../../shared/src/org-scope';
import { isIsoDate } from '../../../shared/src/scalars';
import type { Context } from '../context';
import { canManage } from '../domain/authority';
import { activeEmployment } from '../repositories/staffing';

/**
 * Approved absences from teaching [批准离岗]: maternity, sick and study leave, secondment. A teacher
 * away for a semester or more is deferred at qualification registration unless the absence was
 * approved (教师〔2013〕9号); staffing-quota, which keeps employment, keeps the approvals too, and
 * evaluation reads them through the federated Teacher (@requires on registrationEligibility).
 */
export const LeaveReason = { MATERNITY: 'maternity', SICK: 'sick', STUDY: 'study', SECONDMENT: 'secondment' } as const;
type LeaveReasonValue = (typeof LeaveReason)[keyof typeof LeaveReason];

export interface ApprovedLeaveRow {
  id: string;
  teacherId: string;
  orgId: string;
  reason: LeaveReasonValue;
  startsOn: string;
  endsOn: string;
  documentRef: string;
  version: number;
}

const COLUMNS = ['id', 'teacher_id as teacherId', 'org_id as orgId', 'reason', 'starts_on as startsOn', 'ends_on as endsOn', 'document_ref as documentRef', 'version'];

/** Callers pass ids already authorised through the teacher_scope projection. Newest first. */
async function findLeavesByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<ApprovedLeaveRow[]> {
  return db.knex(db.t('approved_leave')).select(COLUMNS).whereIn('teacher_id', teacherIds as string[]).orderBy([{ column: 'starts_on', order: 'desc' }, { column: 'id' }]);
}

/**
 * One DataLoader per request, kept beside the request's loader set (the set is created per request,
 * so the WeakMap entry lives exactly as long as the request). This keeps the leave feature in this
 * file instead of in the shared loader factory other features are changing.
 */
const perRequest = new WeakMap<object, DataLoader<string, ApprovedLeaveRow[]>>();
function leavesLoader(ctx: Context) {
  let loader = perRequest.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader<string, ApprovedLeaveRow[]>(async (ids) => mapToMany(ids, await findLeavesByTeacherIds(ctx.db, ids), (r) => r.teacherId));
    perRequest.set(ctx.loaders, loader);
  }
  return loader;
}

/** Teacher.approvedLeaves: the reference resolver already returned null outside the viewer's reach. */
export const approvedLeaves = (teacher: { id: string }, _: unknown, ctx: Context) => leavesLoader(ctx).load(teacher.id);

export interface RecordLeaveInput {
  teacherId: string;
  reason: LeaveReasonValue;
  startsOn: string;
  endsOn: string;
  documentRef: string;
}

const field = (name: string) => ['input', name];
const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
/** Longest leave recorded in one approval: five years (a whole registration cycle). */
const MAX_DAYS = 5 * 366;

export async function recordApprovedLeave(ctx: Context, input: RecordLeaveInput) {
  const errors: UserError[] = [];
  const teacherId = normaliseUuid(String(input.teacherId ?? ''));
  if (!teacherId) errors.push(userError(UserErrorCode.INVALID_INPUT, 'teacherId must be a teacher id (UUID).', field('teacherId')));
  if (!Object.values(LeaveReason).includes(input.reason)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'reason must be MATERNITY, SICK, STUDY or SECONDMENT.', field('reason')));
  const startsOk = typeof input.startsOn === 'string' && isIsoDate(input.startsOn);
  const endsOk = typeof input.endsOn === 'string' && isIsoDate(input.endsOn);
  if (!startsOk) errors.push(userError(UserErrorCode.INVALID_INPUT, 'startsOn must be a calendar date written YYYY-MM-DD.', field('startsOn')));
  if (!endsOk) errors.push(userError(UserErrorCode.INVALID_INPUT, 'endsOn must be a calendar date written YYYY-MM-DD.', field('endsOn')));
  if (startsOk && endsOk) {
    if (input.endsOn < input.startsOn) errors.push(userError(UserErrorCode.INVALID_INPUT, 'endsOn cannot be before startsOn.', field('endsOn')));
    else if ((Date.parse(input.endsOn) - Date.parse(input.startsOn)) / 86_400_000 + 1 > MAX_DAYS) {
      errors.push(userError(UserErrorCode.INVALID_INPUT, 'A leave is approved for at most five years at a time.', field('endsOn')));
    }
  }
  const documentRef = typeof input.documentRef === 'string' ? input.documentRef.trim() : '';
  if (documentRef.length === 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'documentRef (the approval document) is required.', field('documentRef')));
  else if (documentRef.length > 100) errors.push(userError(UserErrorCode.INVALID_INPUT, `documentRef must be at most 100 characters (it has ${documentRef.length}).`, field('documentRef')));
  if (errors.length) return { leave: null, errors };

  // Read and scope-check before the transaction (the house rule for the single-backend database).
  const scope = (await ctx.db.knex(ctx.db.t('teacher_scope')).first('org_path as orgPath').where('teacher_id', teacherId)) as { orgPath: string } | undefined;
  if (!scope || !canManage(ctx.viewer, scope.orgPath) || !isWithinPath(scope.orgPath, ctx.viewer.orgPath)) {
    return { leave: null, errors: [userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your organisation.', field('teacherId'))] };
  }
  return runMutation(ctx.db.knex, async (trx: Knex.Transaction) => {
    const { db } = ctx;
    const tid = teacherId as string;
    // One writer per teacher at a time, so the overlap check sees committed rows.
    await trx(db.t('teacher_scope')).where('teacher_id', tid).forUpdate().first();
    // Leave is approved by the employing unit: the one employing the teacher when the leave starts, or
    // on the day before (an absence recorded as a break between two employments starts the day after one ends).
    const employment = (await activeEmployment(trx, db, tid, input.startsOn)) ?? (await activeEmployment(trx, db, tid, dayBefore(input.startsOn)));
    if (!employment) {
      throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `The teacher has no employment on or just before ${input.startsOn}; leave is approved by the employing unit.`, field('startsOn'))]);
    }
    const overlap = (await trx(db.t('approved_leave'))
      .first(COLUMNS)
      .where('teacher_id', tid)
      .andWhere('starts_on', '<=', input.endsOn)
      .andWhere('ends_on', '>=', input.startsOn)) as ApprovedLeaveRow | undefined;
    if (overlap) {
      throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `The teacher already has ${overlap.reason} leave approved from ${overlap.startsOn} to ${overlap.endsOn}.`, field('startsOn'))]);
    }
    const [leave] = (await trx(db.t('approved_leave'))
      .insert({ teacher_id: tid, org_id: employment.orgId, reason: input.reason, starts_on: input.startsOn, ends_on: input.endsOn, document_ref: documentRef, approved_by: ctx.viewer.subject })
      .returning(COLUMNS)) as ApprovedLeaveRow[];
    return { leave };
  });
}
