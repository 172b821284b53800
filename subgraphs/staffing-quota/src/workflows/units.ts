import { randomUUID } from 'node:crypto';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { canSeeTeacher } from '../../../shared/src/org-scope';
import type { Context } from '../context';
import { canManage, canManageFromAbove } from '../domain/authority';
import { GRADES_PER_STAGE, MAX_GRADE, STAGES_OF_SCHOOL, type EducationStageValue, type PostCategoryValue } from '../domain/codes';
import { findOrgsByIds, type OrgRow } from '../repositories/orgs';
import { insertAppointment, overlappingAppointment, slotCounts, type AppointmentRow } from '../repositories/posts';
import { activeEmployment, EMPLOYMENT_COLUMNS, type EmploymentRow } from '../repositories/staffing';
import { assertQuotaRoom } from './transfers';

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

export async function setApprovedQuota(ctx: Context, input: { orgUnitId: string; year: number; approved: number; version?: number | null }) {
  const errors: UserError[] = [];
  validYear(input.year, errors);
  if (!Number.isInteger(input.approved) || input.approved < 0) errors.push(userError(UserErrorCode.INVALID_INPUT, 'approved cannot be negative.', field('approved')));
  if (errors.length) return { staffingQuota: null, version: null, errors };
  const unit = await unitForWrite(ctx, input.orgUnitId, 'orgUnitId', { fromAbove: true });
  if (isError(unit)) return { staffingQuota: null, version: null, errors: [unit] };
  return runMutation(ctx.db.knex, async (trx) => {
    const table = ctx.db.t('staffing_quota');
    const key = { org_id: unit.id, year: input.year };
    let row: { version: number } | undefined;
    if (input.version != null) {
      // Optimistic concurrency: the client read this version; a newer one (or no row) means someone
      // else wrote since, so nothing is stored.
      row = await updateWithVersion<{ version: number }>(trx, table, { key }, input.version, { approved: input.approved }, field('version'));
    } else {
      // No version: creating the figure or a deliberate overwrite.
      [row] = await trx(table)
        .insert({ ...key, approved: input.approved })
        .onConflict(['org_id', 'year'])
        .merge({ approved: input.approved, version: trx.raw(`${table}.version + 1`), updated_at: trx.fn.now() })
        .returning(['version']);
    }
    return { staffingQuota: { orgId: unit.id, year: input.year }, version: row!.version };
  });
}

export async function setPostPlanEntry(ctx: Context, input: { orgUnitId: string; year: number; category: PostCategoryValue; grade: number; ceiling: number; version?: number | null }) {
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
    const columns = ['org_id as orgId', 'year', 'category', 'grade', 'ceiling', 'version'];
    if (input.version != null) {
      // Optimistic concurrency: the client read this version; a newer one (or no row) means someone
      // else wrote since, so nothing is stored.
      const key = { org_id: unit.id, year: input.year, category: input.category, grade: input.grade };
      const row = await updateWithVersion<Record<string, unknown>>(trx, table, { key }, input.version, { ceiling: input.ceiling }, field('version'));
      return { entry: { orgId: row.org_id, year: row.year, category: row.category, grade: row.grade, ceiling: row.ceiling, version: row.version } };
    }
    // No version: creating the entry or a deliberate overwrite.
    const [row] = await trx(table)
      .insert({ org_id: unit.id, year: input.year, category: input.category, grade: input.grade, ceiling: input.ceiling })
      .onConflict(['org_id', 'year', 'category', 'grade'])
      .merge({ ceiling: input.ceiling, version: trx.raw(`${table}.version + 1`), updated_at: trx.fn.now() })
      .returning(columns);
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

const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** Loads a teacher-owned row for a write: unknown, out-of-scope and not-manageable answer alike. */
async function teacherRowForWrite<R extends { teacherId: string; orgId: string }>(ctx: Context, table: string, columns: string[], rawId: string, name: string) {
  const id = normaliseUuid(rawId);
  const row = id ? ((await ctx.db.knex(ctx.db.t(table)).select(columns).where('id', id).first()) as R | undefined) : undefined;
  const [unit] = row ? await findOrgsByIds(ctx.db, [row.orgId]) : [];
  if (!row || !unit || !canManage(ctx.viewer, unit.path)) return userError(UserErrorCode.NOT_FOUND, 'No record with this id in your organisation.', field(name));
  return row;
}

export async function endPostAppointment(ctx: Context, input: { appointmentId: string; endsOn: string; version: number }) {
  const columns = ['id', 'teacher_id as teacherId', 'org_id as orgId', 'category', 'grade', 'starts_on as startsOn', 'ends_on as endsOn', 'version'];
  const row = await teacherRowForWrite<AppointmentRow>(ctx, 'post_appointment', columns, input.appointmentId, 'appointmentId');
  if ('code' in row) return { appointment: null, errors: [row] };
  if (input.endsOn < row.startsOn) return fail('INVALID_INPUT', `endsOn cannot be before the appointment started (${row.startsOn}).`, field('endsOn'));
  if (row.endsOn && row.endsOn <= input.endsOn) return fail('INVALID_STATE', `The appointment already ends on ${row.endsOn}.`, field('endsOn'));
  return runMutation(ctx.db.knex, async (trx) => {
    const updated = await updateWithVersion<Record<string, unknown>>(trx, ctx.db.t('post_appointment'), { column: 'id', value: row.id }, input.version, { ends_on: input.endsOn });
    return { appointment: { ...row, endsOn: updated.ends_on as string, version: updated.version as number } };
  });
}

export async function changeEmploymentTerms(ctx: Context, input: { employmentId: string; onQuota: boolean; contractKind: string; effectiveOn: string; version: number }) {
  const row = await teacherRowForWrite<EmploymentRow>(ctx, 'employment', EMPLOYMENT_COLUMNS, input.employmentId, 'employmentId');
  if ('code' in row) return { employment: null, errors: [row] };
  if (input.effectiveOn <= row.startsOn || (row.endsOn && input.effectiveOn > row.endsOn)) {
    return fail('INVALID_INPUT', `effectiveOn must fall after ${row.startsOn} and within the employment.`, field('effectiveOn'));
  }
  if (input.onQuota === row.onQuota && input.contractKind === row.contractKind) return fail('INVALID_INPUT', 'The new terms equal the current ones.', field('onQuota'));
  return runMutation(ctx.db.knex, async (trx) => {
    const { db } = ctx;
    // Taking someone on quota [入编] needs a free place in the unit's approved quota on that date.
    if (input.onQuota && !row.onQuota) await assertQuotaRoom(trx, ctx, row.orgId, input.effectiveOn, field('onQuota'));
    await updateWithVersion(trx, db.t('employment'), { column: 'id', value: row.id }, input.version, { ends_on: dayBefore(input.effectiveOn) });
    const [employment] = await trx(db.t('employment'))
      .insert({ id: randomUUID(), teacher_id: row.teacherId, org_id: row.orgId, on_quota: input.onQuota, contract_kind: input.contractKind, starts_on: input.effectiveOn, ends_on: row.endsOn })
      .returning(EMPLOYMENT_COLUMNS);
    return { employment: employment as EmploymentRow };
  });
}
