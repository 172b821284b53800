import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { todayIso } from '../domain/dates';
import { sanctionRefusal } from '../domain/ethics';
import {
  countExcellent,
  countTeachersAssessedBy,
  findAssessingUnit,
  findAssessmentById,
  findExcellentCapRule,
  type AnnualAssessmentRow,
} from '../repositories/assessments';
import { auditEthicsAccess, findEthicsEntriesByTeacherIds } from '../repositories/ethics';
import { InputCheck } from './validation';

export type Grade = 'excellent' | 'pass' | 'basic_pass' | 'fail';
const FIRST_YEAR = 2000;

const abort = (code: UserError['code'], message: string, field: string) => {
  throw new UserErrorsAbort([userError(code, message, ['input', field])]);
};

/** The viewer's school as a unit of assessment (the viewer is a school information administrator). */
const viewerUnit = (viewer: Viewer) => ({ id: viewer.orgId, path: viewer.orgPath, provinceCode: viewer.orgPath.split('/')[2] ?? '' });

export interface CapStatus {
  unitId: string;
  year: number;
  maxShare: number;
  highPerforming: boolean;
  teachersAssessed: number;
  maxExcellent: number;
  excellentEntered: number;
  remaining: number;
  source: string;
}

export async function excellentCapStatus(trx: Knex.Transaction, db: Db, viewer: Viewer, year: number, excludingId: string | null = null): Promise<CapStatus> {
  const unit = viewerUnit(viewer);
  const rule = await findExcellentCapRule(trx, db, unit.id, unit.provinceCode, `${year}-12-31`);
  // The national default rows ship with the migration; without any rule nobody may be excellent.
  const maxShare = rule?.maxShare ?? 0;
  const teachersAssessed = await countTeachersAssessedBy(trx, db, unit, year);
  const excellentEntered = await countExcellent(trx, db, unit.id, year, excludingId);
  // Round the product in integer per-mille so 0.3 × 10 is 3, not 2.9999.
  const maxExcellent = Math.floor((Math.round(maxShare * 1000) * teachersAssessed) / 1000);
  return {
    unitId: unit.id,
    year,
    maxShare,
    highPerforming: rule?.highPerforming ?? false,
    teachersAssessed,
    maxExcellent,
    excellentEntered,
    remaining: Math.max(0, maxExcellent - excellentEntered),
    source: rule?.source ?? 'no rule in force',
  };
}

/** Refuses a grade the teacher's sanctions or the unit's cap do not allow (inside the write transaction). */
async function checkGradeAllowed(trx: Knex.Transaction, db: Db, viewer: Viewer, teacherId: string, year: number, grade: Grade, excludingId: string | null) {
  const entries = await findEthicsEntriesByTeacherIds(trx, db, [teacherId]);
  const refusal = sanctionRefusal(grade, year, entries);
  if (refusal) abort(UserErrorCode.RULE_VIOLATION, refusal, 'grade');
  if (grade !== 'excellent') return;
  // Serialise "excellent" entries of one unit and year, so two concurrent entries cannot both take the last place.
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`evaluation:excellent:${viewer.orgId}:${year}`]);
  const cap = await excellentCapStatus(trx, db, viewer, year, excludingId);
  if (cap.excellentEntered + 1 > cap.maxExcellent) {
    abort(
      UserErrorCode.RULE_VIOLATION,
      `The cap on "excellent" for ${year} is ${Math.round(cap.maxShare * 100)}% of the ${cap.teachersAssessed} teachers this school assesses, ` +
        `that is ${cap.maxExcellent}; ${cap.excellentEntered} are already graded excellent.`,
      'grade',
    );
  }
}

export interface EnterAssessmentInput {
  teacherId: string;
  year: number;
  grade: Grade;
  comment?: string | null;
}

export async function enterAnnualAssessment(db: Db, viewer: Viewer, input: EnterAssessmentInput, now = new Date()) {
  const check = new InputCheck();
  const teacherId = check.uuid(input.teacherId, 'teacherId', 'The teacher');
  const currentYear = Number(todayIso(now).slice(0, 4));
  if (!Number.isInteger(input.year) || input.year < FIRST_YEAR || input.year > currentYear) {
    check.fail('year', `The year must be between ${FIRST_YEAR} and ${currentYear}.`);
  }
  const comment = check.text(input.comment, 'comment', 'The comment', 500, false);
  if (!check.ok) return { assessment: null, errors: check.errors };

  let consulted: string | null = null;
  const result = await runMutation(db.knex, async (trx) => {
    const unit = await findAssessingUnit(trx, db, teacherId, input.year);
    const ownTeacher = unit !== null && unit.orgPath === viewer.orgPath;
    if (!unit || (unit.unitId !== viewer.orgId && !ownTeacher)) abort(UserErrorCode.NOT_FOUND, 'No such teacher at your school.', 'teacherId');
    if (unit!.unitId !== viewer.orgId) {
      abort(
        UserErrorCode.RULE_VIOLATION,
        `The teacher spends most of ${input.year} on rotation at school ${unit!.unitId}; the receiving school enters that year's assessment.`,
        'teacherId',
      );
    }
    const existing = await trx(db.t('annual_assessment')).first('id').where({ teacher_id: teacherId, year: input.year });
    if (existing) abort(UserErrorCode.DUPLICATE, `An assessment for ${input.year} already exists; change its grade instead.`, 'year');
    consulted = teacherId;
    await checkGradeAllowed(trx, db, viewer, teacherId, input.year, input.grade, null);
    const [row] = await trx(db.t('annual_assessment'))
      .insert({
        id: trx.raw('gen_random_uuid()'),
        teacher_id: teacherId,
        year: input.year,
        grade: input.grade,
        assessed_by_org_id: viewer.orgId,
        comment,
        entered_by_subject: viewer.subject,
      })
      .returning('id');
    await auditEthicsAccess(trx, db, viewer, [teacherId], 'read_for_assessment');
    return { assessment: (await findAssessmentById(trx, db, (row as { id: string }).id)) as AnnualAssessmentRow };
  });
  await auditRefusedCheck(db, viewer, consulted, result.errors);
  return result;
}

/**
 * The sanction check reads the ledger on the school's behalf, and a refusal tells the school a
 * sanction exists: that read is audited even though the refused write itself is rolled back.
 */
async function auditRefusedCheck(db: Db, viewer: Viewer, teacherId: string | null, errors: UserError[]) {
  if (teacherId && errors.length > 0) await auditEthicsAccess(db.knex, db, viewer, [teacherId], 'read_for_assessment');
}

export interface ChangeGradeInput {
  id: string;
  version: number;
  grade: Grade;
  comment?: string | null;
}

export async function changeAnnualAssessmentGrade(db: Db, viewer: Viewer, input: ChangeGradeInput) {
  const check = new InputCheck();
  const id = check.uuid(input.id, 'id', 'The assessment');
  if (!Number.isInteger(input.version) || input.version < 1) check.fail('version', 'The version must be a positive whole number.');
  const comment = check.text(input.comment, 'comment', 'The comment', 500, false);
  if (!check.ok) return { assessment: null, errors: check.errors };

  let consulted: string | null = null;
  const result = await runMutation(db.knex, async (trx) => {
    const current = await findAssessmentById(trx, db, id);
    // Only the school that entered an assessment may change it; others learn nothing about it.
    if (!current || current.assessedByOrgId !== viewer.orgId) abort(UserErrorCode.NOT_FOUND, 'No such assessment entered by your school.', 'id');
    consulted = current!.teacherId;
    await checkGradeAllowed(trx, db, viewer, current!.teacherId, current!.year, input.grade, current!.id);
    const patch: Record<string, unknown> = { grade: input.grade, entered_by_subject: viewer.subject };
    if (input.comment !== undefined) patch.comment = comment;
    await updateWithVersion(trx, db.t('annual_assessment'), { column: 'id', value: id }, input.version, patch);
    await auditEthicsAccess(trx, db, viewer, [current!.teacherId], 'read_for_assessment');
    return { assessment: (await findAssessmentById(trx, db, id)) as AnnualAssessmentRow };
  });
  await auditRefusedCheck(db, viewer, consulted, result.errors);
  return result;
}
