import type { Db } from '../../../shared/src/db';
import { enqueueEvent, EVENT_TYPES } from '../../../shared/src/events';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { isWithinPath, likePrefix } from '../../../shared/src/org-scope';
import { isIsoDate } from '../../../shared/src/scalars';
import { awardGates } from '../domain/awards';
import { todayIso } from '../domain/dates';
import { findNominationById, findProgrammeById, type AwardNominationRow, type AwardProgrammeRow } from '../repositories/awards';
import { auditEthicsAccess, findEthicsEntriesByTeacherIds } from '../repositories/ethics';
import { InputCheck } from './validation';
import { summaryOn } from '../domain/training';
import { findTrainingSummariesByTeacherIds } from '../repositories/training-summary';

const abort = (code: UserError['code'], message: string, field: string): never => {
  throw new UserErrorsAbort([userError(code, message, ['input', field])]);
};
const LEVEL_OF_ORG = { national: 'national', province: 'provincial', city: 'city', county: 'county', school: 'school' } as const;

export interface CreateProgrammeInput {
  name: string;
  issuer: string;
  nominationOpensOn: string;
  nominationClosesOn: string;
  minYearsPassOrBetter: number;
  minExcellentInThoseYears: number;
  requiresTrainingComplete: boolean;
}

export async function createAwardProgramme(db: Db, viewer: Viewer, input: CreateProgrammeInput) {
  const check = new InputCheck();
  const name = check.text(input.name, 'name', 'The programme name', 200, true);
  const issuer = check.text(input.issuer, 'issuer', 'The issuer', 200, true);
  if (!isIsoDate(input.nominationOpensOn)) check.fail('nominationOpensOn', 'The opening date must be a calendar date.');
  if (!isIsoDate(input.nominationClosesOn)) check.fail('nominationClosesOn', 'The closing date must be a calendar date.');
  else if (input.nominationClosesOn < input.nominationOpensOn) check.fail('nominationClosesOn', 'Nominations cannot close before they open.');
  if (!Number.isInteger(input.minYearsPassOrBetter) || input.minYearsPassOrBetter < 0 || input.minYearsPassOrBetter > 10) {
    check.fail('minYearsPassOrBetter', 'The number of years must be a whole number from 0 to 10.');
  }
  if (!Number.isInteger(input.minExcellentInThoseYears) || input.minExcellentInThoseYears < 0 || input.minExcellentInThoseYears > input.minYearsPassOrBetter) {
    check.fail('minExcellentInThoseYears', 'The excellent grades required must be a whole number from 0 to the number of years.');
  }
  if (!check.ok) return { programme: null, errors: check.errors };
  const level = LEVEL_OF_ORG[parseAdminRole(viewer.role)!.level];
  return runMutation(db.knex, async (trx) => {
    const [row] = await trx(db.t('award_programme'))
      .insert({
        name,
        level,
        organiser_org_id: viewer.orgId,
        organiser_path: viewer.orgPath,
        issuer,
        nomination_opens_on: input.nominationOpensOn,
        nomination_closes_on: input.nominationClosesOn,
        min_years_pass_or_better: input.minYearsPassOrBetter,
        min_excellent_in_those_years: input.minExcellentInThoseYears,
        requires_training_complete: input.requiresTrainingComplete,
        created_by_subject: viewer.subject,
      })
      .returning('id');
    return { programme: (await findProgrammeById(trx, db, (row as { id: string }).id)) as AwardProgrammeRow };
  });
}

export async function nominateForAward(db: Db, viewer: Viewer, input: { programmeId: string; teacherId: string }, requestId: string | null, now = new Date()) {
  const check = new InputCheck();
  const programmeId = check.uuid(input.programmeId, 'programmeId', 'The programme');
  const teacherId = check.uuid(input.teacherId, 'teacherId', 'The teacher');
  if (!check.ok) return { nomination: null, errors: check.errors };
  const today = todayIso(now);
  let consulted = false;
  const result = await runMutation(db.knex, async (trx) => {
    const programme = await findProgrammeById(trx, db, programmeId);
    // The nominator works inside the organiser's area: a county nominates into its province's programme.
    if (!programme || !isWithinPath(viewer.orgPath, programme.organiserPath)) return abort(UserErrorCode.NOT_FOUND, 'No such award programme open to you.', 'programmeId');
    const teacher = await trx(db.t('teacher_scope')).first('teacher_id').where('teacher_id', teacherId).andWhereRaw('org_path like ?', [likePrefix(viewer.orgPath)]);
    if (!teacher) abort(UserErrorCode.NOT_FOUND, 'No such teacher in your area.', 'teacherId');
    if (today < programme.nominationOpensOn || today > programme.nominationClosesOn) {
      abort(UserErrorCode.INVALID_STATE, `Nominations are open from ${programme.nominationOpensOn} to ${programme.nominationClosesOn}.`, 'programmeId');
    }
    if (await trx(db.t('award_nomination')).first('id').where({ programme_id: programmeId, teacher_id: teacherId })) {
      abort(UserErrorCode.DUPLICATE, 'The teacher is already nominated for this programme.', 'teacherId');
    }
    consulted = true;
    const assessments: { year: number; grade: string }[] = await trx(db.t('annual_assessment')).select('year', 'grade').where('teacher_id', teacherId);
    const ethics = await findEthicsEntriesByTeacherIds(trx, db, [teacherId]);
    // Every gate is enforced here, training included: a mutation cannot receive federated fields
    // (@requires), so training's verdict comes from the projection training keeps current by events.
    const trainingSummary = summaryOn(await findTrainingSummariesByTeacherIds(trx, db, [teacherId]), today);
    const failed = awardGates(programme, { assessments, ethics, trainingSummary, today }).filter((g) => g.met === false);
    if (failed.length) throw new UserErrorsAbort(failed.map((g) => userError(UserErrorCode.RULE_VIOLATION, g.detail, ['input', 'teacherId'])));
    await auditEthicsAccess(trx, db, viewer, [teacherId], 'read_for_award', requestId);
    const [row] = await trx(db.t('award_nomination')).insert({ programme_id: programmeId, teacher_id: teacherId, nominated_on: today, nominated_by_subject: viewer.subject }).returning('id');
    return { nomination: (await findNominationById(trx, db, (row as { id: string }).id)) as AwardNominationRow };
  });
  if (consulted && result.errors.length) await auditEthicsAccess(db.knex, db, viewer, [teacherId], 'read_for_award', requestId);
  return result;
}

export interface DecideNominationInput {
  nominationId: string;
  version: number;
  awarded: boolean;
  awardedOn?: string | null;
  documentRef?: string | null;
  note?: string | null;
}

export async function decideAwardNomination(db: Db, viewer: Viewer, input: DecideNominationInput, now = new Date()) {
  const check = new InputCheck();
  const id = normaliseUuid(input.nominationId);
  if (!id) check.fail('nominationId', 'The nomination is not a valid id.');
  if (!Number.isInteger(input.version) || input.version < 1) check.fail('version', 'The version must be a positive whole number.');
  let documentRef: string | null = null;
  if (input.awarded) {
    if (!input.awardedOn || !isIsoDate(input.awardedOn)) check.fail('awardedOn', 'The award date is required, as a calendar date.');
    else if (input.awardedOn > todayIso(now)) check.fail('awardedOn', 'The award date cannot be in the future.');
    documentRef = check.text(input.documentRef, 'documentRef', 'The document reference', 100, true);
  }
  const note = check.text(input.note, 'note', 'The note', 500, false);
  if (!check.ok) return { nomination: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    const nomination = await findNominationById(trx, db, id!);
    const programme = nomination ? await findProgrammeById(trx, db, nomination.programmeId) : undefined;
    // Only the organiser decides its own programme.
    if (!nomination || !programme || programme.organiserOrgId !== viewer.orgId) return abort(UserErrorCode.NOT_FOUND, 'No such nomination of your programme.', 'nominationId');
    if (nomination.stage !== 'nominated') abort(UserErrorCode.INVALID_STATE, `The nomination is already ${nomination.stage}.`, 'nominationId');
    const today = todayIso(now);
    await updateWithVersion(trx, db.t('award_nomination'), { column: 'id', value: id! }, input.version, {
      stage: input.awarded ? 'awarded' : 'not_awarded',
      decided_on: today,
      awarded_on: input.awarded ? input.awardedOn : null,
      document_ref: documentRef,
      note,
    });
    if (input.awarded) {
      // The archive records the award through the registry's intake (transactional outbox).
      await enqueueEvent(trx, db, {
        type: EVENT_TYPES.AWARD_GRANTED,
        payload: { teacherId: nomination.teacherId, awardName: programme.name, level: programme.level, issuer: programme.issuer, awardedOn: input.awardedOn, documentRef },
      });
    }
    return { nomination: (await findNominationById(trx, db, id!)) as AwardNominationRow };
  });
}
