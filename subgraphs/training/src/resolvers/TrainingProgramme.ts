import type { Context } from '../context';
import type { ProgrammeRow } from '../repositories/catalogue';

export const TrainingProgramme = {
  organiser: (p: ProgrammeRow) => ({ __typename: 'OrgUnit', id: p.organiserOrgId }),
  courses: (p: ProgrammeRow, _: unknown, ctx: Context) => ctx.loaders.coursesByProgrammeId.load(p.id),
};
