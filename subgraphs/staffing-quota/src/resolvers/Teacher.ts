import type { Context } from '../context';
import type { EmploymentRow } from '../repositories/staffing';

export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.teacherById.load(ref.id),
  employments: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.employmentsByTeacherId.load(teacher.id),
};

export const Employment = {
  employer: (employment: EmploymentRow) => ({ __typename: 'OrgUnit', id: employment.orgId }),
};
