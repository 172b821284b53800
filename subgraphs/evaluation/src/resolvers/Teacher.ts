import { todayIso } from '../domain/dates';
import { BAN_AREAS, bansOn } from '../domain/ethics';
import type { Context } from '../context';
import type { AnnualAssessmentRow } from '../repositories/assessments';
import { TeacherRegistrationFields } from './Registration';
import { TeacherTitleFields } from './TitleReview';
import { TeacherAwardFields } from './Awards';

export const Teacher = {
  // Keep the representation's other fields (those a @requires asks the gateway to send along).
  __resolveReference: async (ref: { id: string }, ctx: Context) => {
    const teacher = await ctx.loaders.teacherById.load(ref.id);
    return teacher ? { ...ref, ...teacher } : null;
  },
  annualAssessments: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.assessmentsByTeacherId.load(teacher.id),
  ethicsEntries: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.ethicsEntriesByTeacherId.load(teacher.id),
  ethicsBans: async (teacher: { id: string }, args: { on?: string | null }, ctx: Context) => {
    const status = bansOn(await ctx.loaders.ethicsBanFactsByTeacherId.load(teacher.id), args.on ?? todayIso());
    return { ...status, ...Object.fromEntries(BAN_AREAS.map((area) => [area, status.inForce])) };
  },
  ...TeacherRegistrationFields,
  ...TeacherTitleFields,
  ...TeacherAwardFields,
};

export const AnnualAssessment = {
  assessedBy: (row: AnnualAssessmentRow) => ({ __typename: 'OrgUnit', id: row.assessedByOrgId }),
};

export const AssessmentGrade = { EXCELLENT: 'excellent', PASS: 'pass', BASIC_PASS: 'basic_pass', FAIL: 'fail' };
export const EthicsEntryKind = { HONOUR: 'honour', VIOLATION: 'violation' };
export const SanctionType = { WARNING: 'warning', DEMERIT: 'demerit', DEMOTION: 'demotion', REMOVAL: 'removal', DISMISSAL: 'dismissal' };
