import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { enqueueEvent, EVENT_TYPES } from '../../../shared/src/events';
import { levelOfOrgCode } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import type { Context } from '../context';
import { canManage } from '../domain/authority';
import { provinceOfPath } from '../domain/codes';
import { findOrgsByIds } from '../repositories/orgs';
import {
  assignmentById,
  assignmentsByPlanIds,
  eligibleCandidates,
  PLAN_COLUMNS,
  rotationParameters,
  type AssignmentRow,
  type PlanRow,
  type RotationParametersRow,
} from '../repositories/rotation';

const field = (name: string) => ['input', name];
const abort = (code: keyof typeof UserErrorCode, message: string, name: string): never => {
  throw new UserErrorsAbort([userError(UserErrorCode[code], message, field(name))]);
};
/** ceil(share × n) without floating-point noise (0.1 × 30 is 3.0000000000000004). */
export const requiredCount = (share: number, n: number) => Math.ceil(Math.round(share * n * 1e6) / 1e6);

export interface Compliance {
  eligibleFromUrbanOrHighQuality: number;
  rotatedFromUrbanOrHighQuality: number;
  requiredFromUrbanOrHighQuality: number;
  rotated: number;
  keyTeachersRotated: number;
  requiredKeyTeachers: number;
  compliant: boolean;
  problems: string[];
}

/** The 2014 rules: ≥ 10% of eligible urban/high-quality teachers rotate, key teachers ≥ 20% of those rotated. */
export function assessCompliance(params: RotationParametersRow, eligibleFromUrbanOrHighQuality: number, assignments: AssignmentRow[]): Compliance {
  const rotated = assignments.length;
  const rotatedFromUrbanOrHighQuality = assignments.filter((a) => a.fromUrbanOrHighQualitySchool).length;
  const keyTeachersRotated = assignments.filter((a) => a.keyTeacher).length;
  const requiredFromUrbanOrHighQuality = requiredCount(Number(params.minShareOfEligible), eligibleFromUrbanOrHighQuality);
  const requiredKeyTeachers = requiredCount(Number(params.minShareKeyTeachers), rotated);
  const problems: string[] = [];
  if (rotated === 0) problems.push('The plan rotates nobody.');
  if (rotatedFromUrbanOrHighQuality < requiredFromUrbanOrHighQuality) {
    problems.push(
      `${rotatedFromUrbanOrHighQuality} teachers of urban or high-quality schools rotate; at least ${requiredFromUrbanOrHighQuality} ` +
        `(${Number(params.minShareOfEligible) * 100}% of ${eligibleFromUrbanOrHighQuality} eligible) must.`,
    );
  }
  if (keyTeachersRotated < requiredKeyTeachers) {
    problems.push(`${keyTeachersRotated} key teachers rotate; at least ${requiredKeyTeachers} (${Number(params.minShareKeyTeachers) * 100}% of ${rotated} rotated) must.`);
  }
  return {
    eligibleFromUrbanOrHighQuality,
    rotatedFromUrbanOrHighQuality,
    requiredFromUrbanOrHighQuality,
    rotated,
    keyTeachersRotated,
    requiredKeyTeachers,
    compliant: problems.length === 0,
    problems,
  };
}

export async function planCompliance(knex: Knex | Knex.Transaction, db: Db, plan: PlanRow, countyPath: string): Promise<Compliance> {
  const params = await rotationParameters(knex, db, provinceOfPath(countyPath) ?? '', plan.year);
  if (!params) throw new Error('no rotation parameters in force: the national row is missing');
  const candidates = await eligibleCandidates(knex, db, countyPath, plan.year, params);
  const assignments = await assignmentsByPlanIds(knex, db, [plan.id]);
  return assessCompliance(params, candidates.filter((c) => c.fromUrbanOrHighQualitySchool).length, assignments);
}

export async function createRotationPlan(ctx: Context, input: { countyId: string; year: number }) {
  if (!Number.isInteger(input.year) || input.year < 2014 || input.year > 2100) {
    return { plan: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'year must be between 2014 and 2100.', field('year'))] };
  }
  const [county] = await findOrgsByIds(ctx.db, [input.countyId]);
  if (!county || !canManage(ctx.viewer, county.path)) {
    return { plan: null, errors: [userError(UserErrorCode.NOT_FOUND, `No county "${input.countyId}" in your organisation.`, field('countyId'))] };
  }
  if (levelOfOrgCode(county.id) !== 'county') {
    return { plan: null, errors: [userError(UserErrorCode.INVALID_INPUT, `${county.id} is not a county: rotation plans are made per county [县域].`, field('countyId'))] };
  }
  return runMutation(ctx.db.knex, async (trx) => {
    const [plan] = await trx(ctx.db.t('rotation_plan'))
      .insert({ id: randomUUID(), county_id: county.id, year: input.year })
      .onConflict(['county_id', 'year'])
      .ignore()
      .returning(PLAN_COLUMNS);
    if (!plan) abort('DUPLICATE', `${county.id} already has a rotation plan for ${input.year}.`, 'year');
    return { plan: plan as PlanRow };
  });
}

/** Loads a plan for a write, locked, with the county the viewer must manage. */
async function planForWrite(trx: Knex.Transaction, ctx: Context, planId: string, fieldName = 'planId') {
  const id = normaliseUuid(planId);
  const plan = id ? ((await trx(ctx.db.t('rotation_plan')).select(PLAN_COLUMNS).where('id', id).forUpdate().first()) as PlanRow | undefined) : undefined;
  const [county] = plan ? await findOrgsByIds(ctx.db, [plan.countyId], trx) : [];
  if (!plan || !county || !canManage(ctx.viewer, county.path)) return abort('NOT_FOUND', 'No rotation plan with this id in your organisation.', fieldName);
  return { plan, county };
}

export interface AddAssignmentInput {
  planId: string;
  teacherId: string;
  hostOrgUnitId: string;
  kind: string;
  startsOn: string;
  endsOn: string;
}

export async function addRotationAssignment(ctx: Context, input: AddAssignmentInput) {
  const teacherId = normaliseUuid(input.teacherId);
  if (!teacherId) return { assignment: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'teacherId must be a teacher id (UUID).', field('teacherId'))] };
  if (input.endsOn <= input.startsOn) return { assignment: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'endsOn must be after startsOn.', field('endsOn'))] };
  return runMutation(ctx.db.knex, async (trx) => {
    const { db } = ctx;
    const { plan, county } = await planForWrite(trx, ctx, input.planId);
    if (plan.status !== 'draft') abort('INVALID_STATE', 'The plan has been submitted; assignments can no longer be added.', 'planId');
    const params = await rotationParameters(trx, db, provinceOfPath(county.path) ?? '', plan.year);
    const [candidate] = params ? await eligibleCandidates(trx, db, county.path, plan.year, params, teacherId) : [];
    if (!candidate) {
      return abort(
        'RULE_VIOLATION',
        `The teacher is not eligible for rotation in ${plan.year}: not employed in ${county.id}'s compulsory-education schools for ${params?.minYearsAtSchool ?? 6} years, above the age limit, exempted, or unknown.`,
        'teacherId',
      );
    }
    const [host] = await findOrgsByIds(db, [input.hostOrgUnitId], trx);
    if (!host || !host.stage || !host.path.startsWith(county.path)) return abort('NOT_FOUND', `No school "${input.hostOrgUnitId}" in county ${county.id}.`, 'hostOrgUnitId');
    if (host.id === candidate.schoolId) abort('INVALID_INPUT', 'The host school is the teacher\'s own school.', 'hostOrgUnitId');
    const overlapping = await trx(db.t('rotation_assignment'))
      .where('teacher_id', teacherId)
      .andWhereRaw(`daterange(starts_on, ends_on, '[]') && daterange(?::date, ?::date, '[]')`, [input.startsOn, input.endsOn])
      .first('starts_on', 'ends_on');
    if (overlapping) {
      abort('RULE_VIOLATION', `The teacher already rotates from ${overlapping.starts_on} to ${overlapping.ends_on}; one rotation at a time.`, 'startsOn');
    }
    const [row] = await trx(db.t('rotation_assignment'))
      .insert({
        id: randomUUID(),
        plan_id: plan.id,
        teacher_id: teacherId,
        home_org_id: candidate.schoolId,
        host_org_id: host.id,
        kind: input.kind,
        starts_on: input.startsOn,
        ends_on: input.endsOn,
        key_teacher: candidate.keyTeacher,
        from_urban_or_high_quality: candidate.fromUrbanOrHighQualitySchool,
      })
      .onConflict(['plan_id', 'teacher_id'])
      .ignore()
      .returning('id');
    if (!row) abort('DUPLICATE', 'The teacher is already in this plan.', 'teacherId');
    return { assignment: (await assignmentById(trx, db, row.id)) as AssignmentRow };
  });
}

export async function submitRotationPlan(ctx: Context, input: { planId: string; version: number }) {
  return runMutation(ctx.db.knex, async (trx) => {
    const { plan, county } = await planForWrite(trx, ctx, input.planId);
    if (plan.status !== 'draft') abort('INVALID_STATE', 'The plan has already been submitted.', 'planId');
    const compliance = await planCompliance(trx, ctx.db, plan, county.path);
    if (!compliance.compliant) abort('RULE_VIOLATION', `The plan does not meet the rotation rules: ${compliance.problems.join(' ')}`, 'planId');
    const updated = await updateWithVersion<Record<string, unknown>>(trx, ctx.db.t('rotation_plan'), { column: 'id', value: plan.id }, input.version, { status: 'submitted' });
    return { plan: { id: updated.id, countyId: updated.county_id, year: updated.year, status: updated.status, version: updated.version } as PlanRow };
  });
}

export async function completeRotation(ctx: Context, input: { assignmentId: string; version: number }) {
  const id = normaliseUuid(input.assignmentId);
  if (!id) return { assignment: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'assignmentId must be an id (UUID).', field('assignmentId'))] };
  return runMutation(ctx.db.knex, async (trx) => {
    const { db } = ctx;
    const found = await assignmentById(trx, db, id);
    if (!found) return abort('NOT_FOUND', 'No rotation assignment with this id in your organisation.', 'assignmentId');
    const { plan } = await planForWrite(trx, ctx, found.planId, 'assignmentId');
    if (plan.status !== 'submitted') abort('INVALID_STATE', 'Only assignments of a submitted plan can be completed.', 'assignmentId');
    if (found.status !== 'planned') abort('INVALID_STATE', 'The rotation is already completed.', 'assignmentId');
    await updateWithVersion(trx, db.t('rotation_assignment'), { column: 'id', value: id }, input.version, { status: 'completed' });
    await enqueueEvent(trx, db, {
      type: EVENT_TYPES.ROTATION_COMPLETED,
      payload: {
        rotationId: id,
        teacherId: found.teacherId,
        homeOrgId: found.homeOrgId,
        hostOrgId: found.hostOrgId,
        kind: found.kind,
        startsOn: found.startsOn,
        endsOn: found.endsOn,
      },
    });
    return { assignment: (await assignmentById(trx, db, id)) as AssignmentRow };
  });
}
