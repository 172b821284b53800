import { normaliseUuid } from '../../../shared/src/ids';
import type { Context } from '../context';
import { awardGates } from '../domain/awards';
import { todayIso } from '../domain/dates';
import { visibleProgrammes, type AwardNominationRow, type AwardProgrammeRow } from '../repositories/awards';

export const AwardLevel = { NATIONAL: 'national', PROVINCIAL: 'provincial', CITY: 'city', COUNTY: 'county', SCHOOL: 'school' };
export const AwardNominationStage = { NOMINATED: 'nominated', AWARDED: 'awarded', NOT_AWARDED: 'not_awarded' };

export const TeacherAwardFields = {
  awardNominations: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.awardNominationsByTeacherId.load(teacher.id),
  awardEligibility: async (teacher: { id: string; trainingProgress?: { isComplete: boolean } | null }, args: { programmeId: string }, ctx: Context) => {
    const id = normaliseUuid(args.programmeId);
    const programme = id ? await ctx.loaders.awardProgrammeById.load(id) : null;
    if (!programme) return null;
    const [assessments, ethics] = await Promise.all([ctx.loaders.assessmentsByTeacherId.load(teacher.id), ctx.loaders.ethicsForAwardByTeacherId.load(teacher.id)]);
    const gates = awardGates(programme, { assessments, ethics, trainingComplete: teacher.trainingProgress?.isComplete ?? null, today: todayIso() }, { includeTraining: true });
    return { programme, gates, eligible: gates.every((g) => g.met === true) };
  },
};

export const AwardQueries = {
  awardProgrammes: (_: unknown, __: unknown, ctx: Context) => visibleProgrammes(ctx.db.knex, ctx.db, ctx.viewer).orderBy('p.nomination_opens_on', 'desc').limit(100),
};

export const AwardProgramme = {
  organiser: (row: AwardProgrammeRow) => ({ __typename: 'OrgUnit', id: row.organiserOrgId }),
};

export const AwardNomination = {
  programme: (row: AwardNominationRow, _: unknown, ctx: Context) => ctx.loaders.awardProgrammeById.load(row.programmeId),
  teacher: (row: AwardNominationRow) => ({ __typename: 'Teacher', id: row.teacherId }),
};
