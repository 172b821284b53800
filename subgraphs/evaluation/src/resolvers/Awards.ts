import { normaliseUuid } from '../../../shared/src/ids';
import { decodeCursor, pageSize, toConnection } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { awardGates } from '../domain/awards';
import { todayIso } from '../domain/dates';
import { summaryOn } from '../domain/training';
import { visibleProgrammes, type AwardNominationRow, type AwardProgrammeRow } from '../repositories/awards';

export const AwardLevel = { NATIONAL: 'national', PROVINCIAL: 'provincial', CITY: 'city', COUNTY: 'county', SCHOOL: 'school' };
export const AwardNominationStage = { NOMINATED: 'nominated', AWARDED: 'awarded', NOT_AWARDED: 'not_awarded' };

export const TeacherAwardFields = {
  awardNominations: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.awardNominationsByTeacherId.load(teacher.id),
  awardEligibility: async (teacher: { id: string; trainingProgress?: { isComplete: boolean } | null }, args: { programmeId: string }, ctx: Context) => {
    const id = normaliseUuid(args.programmeId);
    const programme = id ? await ctx.loaders.awardProgrammeById.load(id) : null;
    if (!programme) return null;
    const [assessments, ethics, summaries] = await Promise.all([
      ctx.loaders.assessmentsByTeacherId.load(teacher.id),
      ctx.loaders.ethicsForAwardByTeacherId.load(teacher.id),
      ctx.loaders.trainingSummariesByTeacherId.load(teacher.id),
    ]);
    const today = todayIso();
    // The same verdict the nomination enforces; the federated hours only stand in until it has arrived.
    const trainingSummary = summaryOn(summaries, today);
    const gates = awardGates(programme, { assessments, ethics, trainingSummary, trainingComplete: teacher.trainingProgress?.isComplete ?? null, today });
    return { programme, gates, eligible: gates.every((g) => g.met === true) };
  },
};

export const AwardQueries = {
  awardProgrammes: async (_: unknown, args: { first?: number | null; after?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const after = decodeCursor(args.after);
    const query = visibleProgrammes(ctx.db.knex, ctx.db, ctx.viewer).orderBy('p.id').limit(limit + 1);
    if (after) query.where('p.id', '>', after);
    const rows = await query;
    return toConnection(rows, limit, (r) => r.id, async () => {
      const row = (await visibleProgrammes(ctx.db.knex, ctx.db, ctx.viewer).clearSelect().count('* as n').first()) as { n: number } | undefined;
      return Number(row?.n ?? 0);
    });
  },
};

export const AwardProgramme = {
  organiser: (row: AwardProgrammeRow) => ({ __typename: 'OrgUnit', id: row.organiserOrgId }),
};

export const AwardNomination = {
  programme: (row: AwardNominationRow, _: unknown, ctx: Context) => ctx.loaders.awardProgrammeById.load(row.programmeId),
  teacher: (row: AwardNominationRow) => ({ __typename: 'Teacher', id: row.teacherId }),
};
