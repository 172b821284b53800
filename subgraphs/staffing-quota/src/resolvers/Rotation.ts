import type { Context } from '../context';
import type { AssignmentRow, CandidateRow, PlanRow } from '../repositories/rotation';
import { findOrgsByIds } from '../repositories/orgs';
import { planCompliance } from '../workflows/rotation';
import { orgRef } from './OrgUnit';

export const RotationCandidate = {
  teacher: (c: CandidateRow) => ({ __typename: 'Teacher', id: c.teacherId }),
  school: (c: CandidateRow) => orgRef(c.schoolId),
};

export const RotationAssignment = {
  teacher: (a: AssignmentRow) => ({ __typename: 'Teacher', id: a.teacherId }),
  homeUnit: (a: AssignmentRow) => orgRef(a.homeOrgId),
  hostUnit: (a: AssignmentRow) => orgRef(a.hostOrgId),
};

export const RotationPlan = {
  county: (p: PlanRow) => orgRef(p.countyId),
  assignments: (p: PlanRow, _: unknown, ctx: Context) => ctx.loaders.assignmentsByPlanId.load(p.id),
  compliance: async (p: PlanRow, _: unknown, ctx: Context) => {
    const [county] = await findOrgsByIds(ctx.db, [p.countyId]);
    return planCompliance(ctx.db.knex, ctx.db, p, county?.path ?? '/none/');
  },
};
