import type { Context } from '../context';
import type { AnnualAssessmentRow } from '../repositories/assessments';

export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.teacherById.load(ref.id),
  annualAssessments: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.assessmentsByTeacherId.load(teacher.id),
};

export const AnnualAssessment = {
  assessedBy: (row: AnnualAssessmentRow) => ({ __typename: 'OrgUnit', id: row.assessedByOrgId }),
};

export const AssessmentGrade = { EXCELLENT: 'excellent', PASS: 'pass', BASIC_PASS: 'basic_pass', FAIL: 'fail' };
