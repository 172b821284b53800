import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { isWithinPath } from '../../../shared/src/org-scope';
import { todayIso } from '../domain/dates';
import type { RegistrationStage } from '../domain/registration';
import { findRegistrationById, findRegistrationForWrite, findRegistrationsByIds, registerDueInScope, type RegistrationRow } from '../repositories/registrations';
import { InputCheck } from './validation';

const abort = (code: UserError['code'], message: string, field: string): never => {
  throw new UserErrorsAbort([userError(code, message, ['input', field])]);
};

interface StepInput {
  registrationId: string;
  version: number;
}

const STEP: Record<'apply' | 'file' | 'register', { from: RegistrationStage; to: RegistrationStage; dateColumn: string; byColumn: string | null; words: string }> = {
  apply: { from: 'open', to: 'applied', dateColumn: 'applied_on', byColumn: null, words: 'apply for' },
  file: { from: 'applied', to: 'filed', dateColumn: 'filed_on', byColumn: 'filed_by_subject', words: 'file' },
  register: { from: 'filed', to: 'registered', dateColumn: 'registered_on', byColumn: 'registered_by_subject', words: 'register' },
};

/** Who may take each step: the teacher themself, the school of the teacher, a county above the teacher. */
function mayTake(step: keyof typeof STEP, viewer: Viewer, row: RegistrationRow & { orgPath: string }): boolean {
  if (step === 'apply') return viewer.role === 'teacher' && viewer.teacherId === row.teacherId;
  return isWithinPath(row.orgPath, viewer.orgPath);
}

async function takeStep(db: Db, viewer: Viewer, step: keyof typeof STEP, input: StepInput, now: Date) {
  const check = new InputCheck();
  const id = check.uuid(input.registrationId, 'registrationId', 'The registration');
  if (!Number.isInteger(input.version) || input.version < 1) check.fail('version', 'The version must be a positive whole number.');
  if (!check.ok) return { registration: null, errors: check.errors };
  const today = todayIso(now);
  return runMutation(db.knex, async (trx: Knex.Transaction) => {
    const row = await findRegistrationForWrite(trx, db, id);
    if (!row || !mayTake(step, viewer, row)) return abort(UserErrorCode.NOT_FOUND, 'No such registration in your reach.', 'registrationId');
    const rule = STEP[step];
    if (row.stage !== rule.from) {
      abort(UserErrorCode.INVALID_STATE, `This registration is ${row.stage}; only a registration that is ${rule.from} can be ${rule.to}.`, 'registrationId');
    }
    if (step === 'apply' && today < row.cycleStartsOn) abort(UserErrorCode.INVALID_STATE, `The cycle starts on ${row.cycleStartsOn}; apply after that.`, 'registrationId');
    const patch: Record<string, unknown> = { stage: rule.to, [rule.dateColumn]: today };
    if (rule.byColumn) patch[rule.byColumn] = viewer.subject;
    await updateWithVersion(trx, db.t('qualification_registration'), { column: 'id', value: id }, input.version, patch);
    return { registration: (await findRegistrationById(trx, db, id)) as RegistrationRow };
  });
}

export const applyForRegistration = (db: Db, viewer: Viewer, input: StepInput, now = new Date()) => takeStep(db, viewer, 'apply', input, now);
export const fileRegistration = (db: Db, viewer: Viewer, input: StepInput, now = new Date()) => takeStep(db, viewer, 'file', input, now);
export const registerQualification = (db: Db, viewer: Viewer, input: StepInput, now = new Date()) => takeStep(db, viewer, 'register', input, now);

/** Registers every filed registration of the county due by a date (one statement, whatever the count). */
export async function registerDueQualifications(db: Db, viewer: Viewer, input: { dueBy: string }, now = new Date()) {
  const result = await runMutation(db.knex, async (trx) => {
    const ids = await registerDueInScope(trx, db, viewer, input.dueBy, todayIso(now));
    return { registrations: await findRegistrationsByIds(trx, db, ids) };
  });
  return { registeredCount: result.registrations?.length ?? 0, registrations: result.registrations ?? [], errors: result.errors };
}
