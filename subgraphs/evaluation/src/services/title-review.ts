import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { enqueueEvent, EVENT_TYPES } from '../../../shared/src/events';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { isWithinPath } from '../../../shared/src/org-scope';
import { isIsoDate } from '../../../shared/src/scalars';
import { addDays, todayIso } from '../domain/dates';
import { bansOn } from '../domain/ethics';
import { TITLE_POST_GRADES } from '../domain/title-review';
import { auditEthicsAccess, findEthicsEntriesByTeacherIds } from '../repositories/ethics';
import { findTitleApplicationById, findTitleApplicationForWrite, publicityDays, type TitleApplicationRow } from '../repositories/title-review';
import { InputCheck } from './validation';

const abort = (code: UserError['code'], message: string, field: string): never => {
  throw new UserErrorsAbort([userError(code, message, ['input', field])]);
};
const provinceOf = (orgPath: string) => orgPath.split('/')[2] ?? '';

export async function applyForTitle(db: Db, viewer: Viewer, input: { targetTitle: string }, requestId: string | null, now = new Date()) {
  const today = todayIso(now);
  const teacherId = viewer.teacherId as string;
  // Ethics is a one-vote veto [一票否决]: no application while a ban is in force. Checked (and
  // audited) before the write, so the audit row stays even when the application is refused.
  await auditEthicsAccess(db.knex, db, viewer, [teacherId], 'read_for_title_review', requestId);
  const bans = bansOn(await findEthicsEntriesByTeacherIds(db.knex, db, [teacherId]), today);
  if (bans.inForce) {
    const message = bans.permanent ? 'An ethics sanction bars title review permanently.' : `An ethics sanction bars title review until ${bans.until}.`;
    return { application: null, errors: [userError(UserErrorCode.RULE_VIOLATION, message, ['input', 'targetTitle'])] };
  }
  return runMutation(db.knex, async (trx) => {
    const scope = await trx(db.t('teacher_scope')).first('org_path as orgPath').where('teacher_id', teacherId);
    if (!scope) return abort(UserErrorCode.NOT_FOUND, 'Your archive is not known to evaluation yet.', 'targetTitle');
    const open = await trx(db.t('title_application')).first('id').where('teacher_id', teacherId).whereIn('stage', OPEN_STAGES);
    if (open) abort(UserErrorCode.DUPLICATE, 'You already have an open title application.', 'targetTitle');
    const [row] = await trx(db.t('title_application'))
      .insert({
        teacher_id: teacherId,
        target_title: input.targetTitle,
        school_id: scope.orgPath.split('/').filter(Boolean).at(-1),
        applied_on: today,
        last_actor_subject: viewer.subject,
      })
      .returning('id');
    return { application: (await findTitleApplicationById(trx, db, (row as { id: string }).id)) as TitleApplicationRow };
  });
}

/** Stages of an application still in progress: a teacher has at most one (unique partial index too). */
const OPEN_STAGES = ['applied', 'publicised', 'pre_reviewed', 'approved', 'appointment_pending', 'slot_refused'];

type Step = 'recommend' | 'pre_review' | 'decide' | 'appoint';
/** Stages each step starts from. A refused post slot can be appointed again once a post is free. */
const FROM: Record<Step, string[]> = { recommend: ['applied'], pre_review: ['publicised'], decide: ['pre_reviewed'], appoint: ['approved', 'slot_refused'] };
/** Which administrative level takes each step (graphql-shield already requires an information administrator). */
const LEVELS: Record<Step, string[]> = { recommend: ['school'], pre_review: ['county', 'city'], decide: ['city', 'province'], appoint: ['school'] };

async function step(
  db: Db,
  viewer: Viewer,
  kind: Step,
  input: { applicationId: string; version: number },
  check: InputCheck,
  work: (trx: Knex.Transaction, row: TitleApplicationRow & { orgPath: string }, today: string) => Promise<Record<string, unknown>>,
  now: Date,
) {
  const id = check.uuid(input.applicationId, 'applicationId', 'The application');
  if (!Number.isInteger(input.version) || input.version < 1) check.fail('version', 'The version must be a positive whole number.');
  if (!check.ok) return { application: null, errors: check.errors };
  const today = todayIso(now);
  return runMutation(db.knex, async (trx) => {
    const row = await findTitleApplicationForWrite(trx, db, id);
    const level = parseAdminRole(viewer.role)?.level;
    if (!row || !level || !LEVELS[kind].includes(level) || !isWithinPath(row.orgPath, viewer.orgPath)) {
      return abort(UserErrorCode.NOT_FOUND, 'No such title application in your reach.', 'applicationId');
    }
    if (!FROM[kind].includes(row.stage)) abort(UserErrorCode.INVALID_STATE, `The application is ${row.stage}; this step needs it ${FROM[kind].join(' or ')}.`, 'applicationId');
    const patch = await work(trx, row, today);
    await updateWithVersion(trx, db.t('title_application'), { column: 'id', value: id }, input.version, { ...patch, last_actor_subject: viewer.subject });
    return { application: (await findTitleApplicationById(trx, db, id)) as TitleApplicationRow };
  });
}

export function recommendTitleApplication(db: Db, viewer: Viewer, input: { applicationId: string; version: number }, now = new Date()) {
  return step(db, viewer, 'recommend', input, new InputCheck(), async (trx, row, today) => {
    const days = await publicityDays(trx, db, provinceOf(row.orgPath), today);
    return { stage: 'publicised', publicity_starts_on: today, publicity_ends_on: addDays(today, days - 1) };
  }, now);
}

interface DecisionInput {
  applicationId: string;
  version: number;
  approve: boolean;
  note?: string | null;
}

function decision(kind: 'pre_review' | 'decide') {
  return (db: Db, viewer: Viewer, input: DecisionInput, now = new Date()) => {
    const check = new InputCheck();
    const note = check.text(input.note, 'note', 'The note', 500, !input.approve);
    return step(db, viewer, kind, input, check, async (_trx, row, today) => {
      if (kind === 'pre_review' && row.publicityEndsOn !== null && today <= row.publicityEndsOn) {
        abort(UserErrorCode.INVALID_STATE, `The publicity period runs until ${row.publicityEndsOn}; pre-review starts after it.`, 'applicationId');
      }
      const stage = !input.approve ? 'rejected' : kind === 'pre_review' ? 'pre_reviewed' : 'approved';
      return kind === 'pre_review' ? { stage, pre_reviewed_on: today, decision_note: note } : { stage, decided_on: today, decision_note: note };
    }, now);
  };
}
export const preReviewTitleApplication = decision('pre_review');
export const decideTitleApplication = decision('decide');

export function appointTitle(db: Db, viewer: Viewer, input: { applicationId: string; version: number; appointedOn: string; documentRef: string }, now = new Date()) {
  const check = new InputCheck();
  if (typeof input.appointedOn !== 'string' || !isIsoDate(input.appointedOn)) check.fail('appointedOn', 'The appointment date must be a calendar date written YYYY-MM-DD.');
  else if (input.appointedOn > todayIso(now)) check.fail('appointedOn', 'The appointment date cannot be in the future.');
  const documentRef = check.text(input.documentRef, 'documentRef', 'The document reference', 100, true);
  return step(db, viewer, 'appoint', input, check, async (trx, row, today) => {
    const grades = TITLE_POST_GRADES[row.targetTitle];
    if (!grades) abort(UserErrorCode.RULE_VIOLATION, `No post grade is defined for the title ${row.targetTitle}; it cannot be appointed.`, 'applicationId');
    // A title is appointed into a post [聘任上岗], and post slots belong to staffing-quota: it takes a
    // free post of the title's grades under its own row locks (so two appointments can never take the
    // last slot) and answers with staffing.title-post-decided. Only then is the application APPOINTED
    // and the title sent to the archive (events.ts); a refusal comes back as SLOT_REFUSED with the reason.
    await enqueueEvent(trx, db, {
      type: EVENT_TYPES.TITLE_APPOINTMENT_REQUESTED,
      payload: {
        applicationId: row.id,
        teacherId: row.teacherId,
        schoolId: row.orgPath.split('/').filter(Boolean).at(-1) as string,
        title: row.targetTitle,
        gradeFrom: grades!.from,
        gradeTo: grades!.to,
        gradeWords: grades!.words,
        startsOn: input.appointedOn,
        documentRef,
      },
    });
    return { stage: 'appointment_pending', appointed_on: input.appointedOn, document_ref: documentRef, appointment_requested_on: today, slot_refused_reason: null };
  }, now);
}
