import type { Knex } from 'knex';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { canSeeTeacher } from '../../../shared/src/org-scope';
import type { Context } from '../context';
import { canManage, canManageFromAbove } from '../domain/authority';
import type { EducationStageValue } from '../domain/codes';
import { findOrgsByIds } from '../repositories/orgs';
import { STANDARD_COLUMNS, EXTRA_RULE_COLUMNS } from '../repositories/standards';

const field = (name: string) => ['input', name];
const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const PROVINCE_CODE = /^\d{2}0000$/;

/**
 * Provincial (or national) reference data may be changed by the information administrators of that
 * province or of the nation. Answers the error to report, or null when allowed.
 */
async function checkProvinceAuthority(ctx: Context, provinceCode: string | null): Promise<UserError | null> {
  if (provinceCode === null) {
    return canManage(ctx.viewer, '/CN/') ? null : userError(UserErrorCode.NOT_FOUND, 'National standards are recorded by national information administrators.', field('provinceCode'));
  }
  if (!PROVINCE_CODE.test(provinceCode)) return userError(UserErrorCode.INVALID_INPUT, 'provinceCode must be a six-digit province code such as 420000.', field('provinceCode'));
  const [province] = await findOrgsByIds(ctx.db, [provinceCode]);
  if (!province || !canManage(ctx.viewer, province.path)) {
    return userError(UserErrorCode.NOT_FOUND, `No province "${provinceCode}" whose data you may change.`, field('provinceCode'));
  }
  return null;
}

/**
 * Effective dating: the new row starts on `effectiveFrom`, the row it replaces (same key, in force
 * then) ends the day before. Rows are recorded in date order, so a key never has two rows in force.
 */
async function supersede(trx: Knex.Transaction, table: string, key: Record<string, string | null>, effectiveFrom: string): Promise<void> {
  const keyed = () => {
    const q = trx(table);
    for (const [column, value] of Object.entries(key)) {
      if (value === null) q.whereNull(column);
      else q.where(column, value);
    }
    return q;
  };
  await keyed().forUpdate().select('id');
  const later = await keyed().where('effective_from', '>=', effectiveFrom).orderBy('effective_from').first('effective_from');
  if (later) {
    throw new UserErrorsAbort([
      userError(UserErrorCode.INVALID_STATE, `A row for the same scope already takes effect on ${later.effective_from}; record changes in date order.`, field('effectiveFrom')),
    ]);
  }
  await keyed()
    .where('effective_from', '<', effectiveFrom)
    .andWhere((q) => q.whereNull('effective_to').orWhere('effective_to', '>=', effectiveFrom))
    .update({ effective_to: dayBefore(effectiveFrom) });
}

const sourceError = (source: string) =>
  source.trim() === '' || source.length > 300 ? userError(UserErrorCode.INVALID_INPUT, 'source names the policy document (1–300 characters).', field('source')) : null;

export interface StandardInput {
  provinceCode?: string | null;
  stage: EducationStageValue;
  locale?: string | null;
  variant: string;
  studentsPerStaff: number;
  studentsPerStaffLow?: number | null;
  effectiveFrom: string;
  source: string;
}

export async function recordStaffingStandard(ctx: Context, input: StandardInput) {
  const errors: UserError[] = [];
  const variant = input.variant.toLowerCase();
  if (!['all', 'full_day', 'half_day'].includes(variant)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'variant must be ALL, FULL_DAY or HALF_DAY.', field('variant')));
  else if ((variant === 'all') === (input.stage === 'kindergarten')) {
    errors.push(userError(UserErrorCode.INVALID_INPUT, 'Kindergarten ratios are FULL_DAY or HALF_DAY; school ratios are ALL.', field('variant')));
  }
  if (!(input.studentsPerStaff > 0 && input.studentsPerStaff <= 100)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'studentsPerStaff must be above 0 and at most 100.', field('studentsPerStaff')));
  const low = input.studentsPerStaffLow ?? null;
  if (low !== null && !(low > 0 && low <= input.studentsPerStaff)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'studentsPerStaffLow must be above 0 and at most studentsPerStaff.', field('studentsPerStaffLow')));
  const source = sourceError(input.source);
  if (source) errors.push(source);
  const authority = await checkProvinceAuthority(ctx, input.provinceCode ?? null);
  if (authority) errors.push(authority);
  if (errors.length) return { standard: null, errors };
  return runMutation(ctx.db.knex, async (trx) => {
    const table = ctx.db.t('staffing_standard');
    const key = { province_code: input.provinceCode ?? null, stage: input.stage, locale: input.locale ?? null, variant };
    await supersede(trx, table, key, input.effectiveFrom);
    const [row] = await trx(table)
      .insert({ ...key, students_per_staff: input.studentsPerStaff, students_per_staff_low: low, effective_from: input.effectiveFrom, source: input.source.trim() })
      .returning(STANDARD_COLUMNS);
    return { standard: row };
  });
}

export interface ExtraRuleInput {
  provinceCode: string;
  kind: string;
  boardersPerStaff?: number | null;
  staffPerClass?: number | null;
  belowStudents?: number | null;
  effectiveFrom: string;
  source: string;
}

export async function recordStaffingExtraRule(ctx: Context, input: ExtraRuleInput) {
  const errors: UserError[] = [];
  const kind = input.kind.toLowerCase();
  if (kind === 'boarding') {
    if (!(Number(input.boardersPerStaff) > 0)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'A boarding rule needs boardersPerStaff above 0.', field('boardersPerStaff')));
  } else if (kind === 'small_teaching_point') {
    if (!(Number(input.staffPerClass) > 0 && Number(input.staffPerClass) <= 5)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'A small-teaching-point rule needs staffPerClass above 0 and at most 5.', field('staffPerClass')));
    if (!(Number.isInteger(input.belowStudents) && Number(input.belowStudents) > 0)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'A small-teaching-point rule needs belowStudents above 0.', field('belowStudents')));
  } else {
    errors.push(userError(UserErrorCode.INVALID_INPUT, 'kind must be BOARDING or SMALL_TEACHING_POINT.', field('kind')));
  }
  const source = sourceError(input.source);
  if (source) errors.push(source);
  const authority = await checkProvinceAuthority(ctx, input.provinceCode);
  if (authority) errors.push(authority);
  if (errors.length) return { rule: null, errors };
  return runMutation(ctx.db.knex, async (trx) => {
    const table = ctx.db.t('staffing_extra_rule');
    await supersede(trx, table, { province_code: input.provinceCode, kind }, input.effectiveFrom);
    const [row] = await trx(table)
      .insert({
        province_code: input.provinceCode,
        kind,
        boarders_per_staff: kind === 'boarding' ? input.boardersPerStaff : null,
        staff_per_class: kind === 'boarding' ? null : input.staffPerClass,
        below_students: kind === 'boarding' ? null : input.belowStudents,
        effective_from: input.effectiveFrom,
        source: input.source.trim(),
      })
      .returning(EXTRA_RULE_COLUMNS);
    return { rule: row };
  });
}

export interface RotationParametersInput {
  provinceCode: string;
  minYearsAtSchool: number;
  ageLimitMale?: number | null;
  ageLimitFemale?: number | null;
  minShareOfEligible: number;
  minShareKeyTeachers: number;
  effectiveFrom: string;
  source: string;
}

export async function recordRotationParameters(ctx: Context, input: RotationParametersInput) {
  const errors: UserError[] = [];
  if (!Number.isInteger(input.minYearsAtSchool) || input.minYearsAtSchool < 1 || input.minYearsAtSchool > 20) errors.push(userError(UserErrorCode.INVALID_INPUT, 'minYearsAtSchool must be 1–20.', field('minYearsAtSchool')));
  for (const name of ['ageLimitMale', 'ageLimitFemale'] as const) {
    const value = input[name];
    if (value != null && (!Number.isInteger(value) || value < 30 || value > 70)) errors.push(userError(UserErrorCode.INVALID_INPUT, `${name} must be an age from 30 to 70.`, field(name)));
  }
  for (const name of ['minShareOfEligible', 'minShareKeyTeachers'] as const) {
    if (!(input[name] >= 0 && input[name] <= 1)) errors.push(userError(UserErrorCode.INVALID_INPUT, `${name} is a share from 0 to 1 (0.1 = 10%).`, field(name)));
  }
  const source = sourceError(input.source);
  if (source) errors.push(source);
  const authority = await checkProvinceAuthority(ctx, input.provinceCode);
  if (authority) errors.push(authority);
  if (errors.length) return { parameters: null, errors };
  return runMutation(ctx.db.knex, async (trx) => {
    const table = ctx.db.t('rotation_parameter');
    await supersede(trx, table, { province_code: input.provinceCode }, input.effectiveFrom);
    const [row] = await trx(table)
      .insert({
        province_code: input.provinceCode,
        min_years_at_school: input.minYearsAtSchool,
        age_limit_male: input.ageLimitMale ?? null,
        age_limit_female: input.ageLimitFemale ?? null,
        min_share_of_eligible: input.minShareOfEligible,
        min_share_key_teachers: input.minShareKeyTeachers,
        effective_from: input.effectiveFrom,
        source: input.source.trim(),
      })
      .returning([
        'province_code as provinceCode',
        'min_years_at_school as minYearsAtSchool',
        'age_limit_male as ageLimitMale',
        'age_limit_female as ageLimitFemale',
        'min_share_of_eligible as minShareOfEligible',
        'min_share_key_teachers as minShareKeyTeachers',
        'effective_from as effectiveFrom',
      ]);
    return { parameters: row };
  });
}

export async function setSchoolDesignation(ctx: Context, input: { schoolId: string; designation: string; designated: boolean }) {
  const [school] = await findOrgsByIds(ctx.db, [input.schoolId]);
  if (!school || !canManageFromAbove(ctx.viewer, school.path)) {
    return { designations: null, errors: [userError(UserErrorCode.NOT_FOUND, `No school "${input.schoolId}" you may designate (the bureau above the school designates it).`, field('schoolId'))] };
  }
  if (!school.stage) return { designations: null, errors: [userError(UserErrorCode.INVALID_INPUT, `${school.id} is not a school.`, field('schoolId'))] };
  return runMutation(ctx.db.knex, async (trx) => {
    const table = ctx.db.t('school_designation');
    if (input.designated) {
      await trx(table).insert({ org_id: school.id, designation: input.designation, designated_on: trx.raw('current_date') }).onConflict(['org_id', 'designation']).ignore();
    } else {
      await trx(table).where({ org_id: school.id, designation: input.designation }).delete();
    }
    const rows: { designation: string }[] = await trx(table).select('designation').where('org_id', school.id).orderBy('designation');
    return { designations: rows.map((r) => r.designation) };
  });
}

export async function exemptFromRotation(ctx: Context, input: { teacherId: string; year: number; reason: string }) {
  const errors: UserError[] = [];
  const teacherId = normaliseUuid(input.teacherId);
  if (!teacherId) errors.push(userError(UserErrorCode.INVALID_INPUT, 'teacherId must be a teacher id (UUID).', field('teacherId')));
  if (!Number.isInteger(input.year) || input.year < 2014 || input.year > 2100) errors.push(userError(UserErrorCode.INVALID_INPUT, 'year must be between 2014 and 2100.', field('year')));
  if (input.reason.trim() === '' || input.reason.length > 200) errors.push(userError(UserErrorCode.INVALID_INPUT, 'reason is required (at most 200 characters).', field('reason')));
  if (errors.length) return { exempted: false, errors };
  const scope = await ctx.db.knex(ctx.db.t('teacher_scope')).select('org_path as orgPath').where('teacher_id', teacherId).first();
  // The county bureau decides exemptions, not the teacher's own school.
  if (!scope || !canSeeTeacher(ctx.viewer, { id: teacherId as string, orgPath: scope.orgPath }) || !canManageFromAbove(ctx.viewer, scope.orgPath)) {
    return { exempted: false, errors: [userError(UserErrorCode.NOT_FOUND, 'No teacher with this id whose rotation you decide.', field('teacherId'))] };
  }
  return runMutation(ctx.db.knex, async (trx) => {
    await trx(ctx.db.t('rotation_exemption'))
      .insert({ teacher_id: teacherId, year: input.year, reason: input.reason.trim() })
      .onConflict(['teacher_id', 'year'])
      .merge({ reason: input.reason.trim() });
    return { exempted: true };
  });
}
