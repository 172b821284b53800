import { randomUUID } from 'node:crypto';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { canSeeTeacher } from '../../../shared/src/org-scope';
import type { Context } from '../context';
import { canManage, canManageFromAbove } from '../domain/authority';
import { GRADES_PER_STAGE, MAX_GRADE, STAGES_OF_SCHOOL, type EducationStageValue, type PostCategoryValue } from '../domain/codes';
import { findOrgsByIds, type OrgRow } from '../repositories/orgs';
import { insertAppointment, overlappingAppointment, slotCounts } from '../repositories/posts';
import { activeEmployment } from '../repositories/staffing';

const field = (...path: (string | number)[]) => ['input', ...path.map(String)];
const fail = (code: keyof typeof UserErrorCode, message: string, path: string[]) => ({ errors: [userError(UserErrorCode[code], message, path)] });

function validYear(year: number, errors: UserError[]) {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) errors.push(userError(UserErrorCode.INVALID_INPUT, 'year must be between 2000 and 2100.', field('year')));
}

/** Loads a unit the viewer may write to; answers NOT_FOUND alike for unknown and out-of-scope units. */
async function unitForWrite(ctx: Context, id: string, name: string, options: { fromAbove?: boolean; school?: boolean } = {}): Promise<OrgRow | UserError> {
  const [unit] = await findOrgsByIds(ctx.db, [id]);
  const allowed = unit && (options.fromAbove ? canManageFromAbove(ctx.viewer, unit.path) : canManage(ctx.viewer, unit.path));
  if (!unit || !allowed) {
    const whoFor = options.fromAbove && unit && canManage(ctx.viewer, unit.path) ? ' (a unit does not set its own quota or post plan: a unit above it does)' : '';
    return userError(UserErrorCode.NOT_FOUND, `No organisation unit "${id}" that you may change${whoFor}.`, field(name));
  }
  if (options.school && !unit.stage) return userError(UserErrorCode.INVALID_INPUT, `${id} is not a school.`, field(name));
  return unit;
}
const isError = (x: OrgRow | UserError): x is UserError => 'code' in x;

export interface EnrolmentRowInput {
  stage: EducationStageValue;
  grade: number;
  students: number;
  classes: number;
  boarders: number;
}

export async function recordEnrolment(ctx: Context, input: { schoolId: string; year: number; rows: EnrolmentRowInput[]; version?: number | null }) {
  const errors: UserError[] = [];
  validYear(input.year, errors);
  if (input.rows.length === 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'rows must list at least one grade.', field('rows')));
  const seen = new Set<string>();
  input.rows.forEach((row, i) => {
    const max = GRADES_PER_STAGE[row.stage];
    if (!Number.isInteger(row.grade) || row.grade < 1 || row.grade > max) errors.push(userError(UserErrorCode.INVALID_INPUT, `grade of ${row.stage} must be 1–${max}.`, field('rows', i, 'grade')));
    if (row.students < 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'students cannot be negative.', field('rows', i, 'students')));
    if (row.classes < 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'classes cannot be negative.', field('rows', i, 'classes')));
    if (row.students > 0 && row.classes === 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'students are taught in at least one class.', field('rows', i, 'classes')));
    if (row.classes > row.students && row.students >= 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'more classes than students.', field('rows', i, 'classes')));
    if (row.boarders < 0 || row.boarders > row.students) errors.push(userError(UserErrorCode.INVALID_INPUT, 'boarders must be between 0 and students.', field('rows', i, 'boarders')));
    const key = `${row.stage}/${row.grade}`;
    if (seen.has(key)) errors.push(userError(UserErrorCode.DUPLICATE, `${row.stage} grade ${row.grade} is listed twice.`, field('rows', i, 'grade')));
    seen.add(key);
  });
  if (errors.length) return { enrolment: null, errors };
  const school = await unitForWrite(ctx, input.schoolId, 'schoolId', { school: true });
  if (isError(school)) return { enrolment: null, errors: [school] };
  const allowedStages = STAGES_OF_SCHOOL[school.stage as string] ?? [];
  input.rows.forEach((row, i) => {
    if (!allowedStages.includes(row.stage)) errors.push(userError(UserErrorCode.INVALID_INPUT, `A ${school.stage} school enrols ${allowedStages.join(' and ')} pupils, not ${row.stage}.`, field('rows', i, 'stage')));
  });
  if (errors.length) return { enrolment: null, errors };

  return runMutation(ctx.db.knex, async (trx) => {
    const { db } = ctx;
    const key = { org_id: school.id, year: input.year };
    const existing = await trx(db.t('enrolment_version')).where(key).forUpdate().first('version');
    if (existing && input.version == null) {
      throw new UserErrorsAbort([userError(UserErrorCode.CONFLICT, `Enrolment for ${input.year} is already recorded; pass its version to replace it.`, field('version'))]);
    }
    if (existing && existing.version !== input.version) {
      throw new UserErrorsAbort([userError(UserErrorCode.CONFLICT, 'The enrolment was changed by someone else since you loaded it; reload and try again.', field('version'))]);
    }
    await trx(db.t('enrolment')).where(key).delete();
    await trx(db.t('enrolment')).insert(input.rows.map((r) => ({ ...key, stage: r.stage, grade: r.grade, students: r.students, classes: r.classes, boarders: r.boarders })));
    if (existing) await trx(db.t('enrolment_version')).where(key).update({ version: trx.raw('version + 1'), updated_at: trx.fn.now() });
    else await trx(db.t('enrolment_version')).insert(key);
    return { enrolment: { orgId: school.id, year: input.year } };
  });
}

export async function setApprovedQuota(ctx: Context, input: { orgUnitId: string; year: number; approved: number }) {
  const errors: UserError[] = [];
  validYear(input.year, errors);
  if (!Number.isInteger(input.approved) || input.approved < 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'approved cannot be negative.', field('approved')));
  if (errors.length) return { staffingQuota: null, errors };
  const unit = await unitForWrite(ctx, input.orgUnitId, 'orgUnitId', { fromAbove: true });
  if (isError(unit)) return { staffingQuota: null, errors: [unit] };
  return runMutation(ctx.db.knex, async (trx) => {
    await trx(ctx.db.t('staffing_quota'))
      .insert({ org_id: unit.id, year: input.year, approved: input.approved })
      .onConflict(['org_id', 'year'])
      .merge({ approved: input.approved, version: trx.raw(`${ctx.db.t('staffing_quota')}.version + 1`), updated_at: trx.fn.now() });
    return { staffingQuota: { orgId: unit.id, year: input.year } };
  });
}

export async function setPostPlanEntry(ctx: Context, input: { orgUnitId: string; year: number; category: PostCategoryValue; grade: number; ceiling: number }) {
  const errors: UserError[] = [];
  validYear(input.year, errors);
  const max = MAX_GRADE[input.category];
  if (!Number.isInteger(input.grade) || input.grade < 1 || input.grade > max) errors.push(userError(UserErrorCode.INVALID_INPUT, `grade of ${input.category} posts must be 1–${max}.`, field('grade')));
  if (!Number.isInteger(input.ceiling) || input.ceiling < 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'ceiling cannot be negative.', field('ceiling')));
  if (errors.length) return { entry: null, errors };
  const unit = await unitForWrite(ctx, input.orgUnitId, 'orgUnitId', { fromAbove: true, school: true });
  if (isError(unit)) return { entry: null, errors: [unit] };
  return runMutation(ctx.db.knex, async (trx) => {
    const table = ctx.db.t('post_plan');
    const [row] = await trx(table)
      .insert({ org_id: unit.id, year: input.year, category: input.category, grade: input.grade, ceiling: input.ceiling })
      .onConflict(['org_id', 'year', 'category', 'grade'])
      .merge({ ceiling: input.ceiling, version: trx.raw(`${table}.version + 1`), updated_at: trx.fn.now() })
      .returning(['org_id as orgId', 'year', 'category', 'grade', 'ceiling', 'version']);
    return { entry: row };
  });
}

export interface AppointInput {
  teacherId: string;
  orgUnitId: string;
  category: PostCategoryValue;
  grade: number;
  startsOn: string;
  endsOn?: string | null;
}

export async function appointToPost(ctx: Context, input: AppointInput) {
  const errors: UserError[] = [];
  const teacherId = normaliseUuid(input.teacherId);
  if (!teacherId) errors.push(userError(UserErrorCode.INVALID_INPUT, 'teacherId must be a teacher id (UUID).', field('teacherId')));
  const max = MAX_GRADE[input.category];
  if (!Number.isInteger(input.grade) || input.grade < 1 || input.grade > max) errors.push(userError(UserErrorCode.INVALID_INPUT, `grade of ${input.category} posts must be 1–${max}.`, field('grade')));
  const endsOn = input.endsOn ?? null;
  if (endsOn && endsOn < input.startsOn) errors.push(userError(UserErrorCode.INVALID_INPUT, 'endsOn cannot be before startsOn.', field('endsOn')));
  if (errors.length) return { appointment: null, errors };
  const unit = await unitForWrite(ctx, input.orgUnitId, 'orgUnitId', { school: true });
  if (isError(unit)) return { appointment: null, errors: [unit] };
  const scope = await ctx.db.knex(ctx.db.t('teacher_scope')).select('org_path as orgPath').where('teacher_id', teacherId).first();
  if (!scope || !canSeeTeacher(ctx.viewer, { id: teacherId as string, orgPath: scope.orgPath })) {
    return fail('NOT_FOUND', 'No teacher with this id in your organisation.', field('teacherId'));
  }
  return runMutation(ctx.db.knex, async (trx) => {
    const { db } = ctx;
    const tid = teacherId as string;
    // One writer per teacher and per slot at a time, so overlap and ceiling checks see committed rows.
    await trx(db.t('teacher_scope')).where('teacher_id', tid).forUpdate().first();
    await trx(db.t('post_plan')).where({ org_id: unit.id, year: Number(input.startsOn.slice(0, 4)), category: input.category, grade: input.grade }).forUpdate().first();
    const employment = await activeEmployment(trx, db, tid, input.startsOn);
    if (employment?.orgId !== unit.id) {
      throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `The teacher is not employed by ${unit.id} on ${input.startsOn}; appoint at the employing unit.`, field('orgUnitId'))]);
    }
    const overlap = await overlappingAppointment(trx, db, tid, input.startsOn, endsOn);
    if (overlap) {
      throw new UserErrorsAbort([
        userError(
          UserErrorCode.RULE_VIOLATION,
          `The appointment overlaps the teacher's ${overlap.category} grade ${overlap.grade} appointment from ${overlap.startsOn}${overlap.endsOn ? ` to ${overlap.endsOn}` : ''}; end that one first.`,
          field('startsOn'),
        ),
      ]);
    }
    const slot = await slotCounts(trx, db, { orgId: unit.id, category: input.category, grade: input.grade, on: input.startsOn });
    if (slot.occupied >= slot.ceiling) {
      throw new UserErrorsAbort([
        userError(UserErrorCode.RULE_VIOLATION, `No free ${input.category} grade ${input.grade} post at ${unit.id}: ceiling ${slot.ceiling}, ${slot.occupied} appointed on ${input.startsOn}.`, field('grade')),
      ]);
    }
    const appointment = await insertAppointment(trx, db, { id: randomUUID(), teacherId: tid, orgId: unit.id, category: input.category, grade: input.grade, startsOn: input.startsOn, endsOn });
    return { appointment };
  });
}
