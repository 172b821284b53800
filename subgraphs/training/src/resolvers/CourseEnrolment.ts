import type { Context } from '../context';
import type { EnrolmentRow } from '../repositories/catalogue';

export const CourseEnrolment = {
  course: (e: EnrolmentRow, _: unknown, ctx: Context) => ctx.loaders.courseById.load(e.courseId),
  teacher: (e: EnrolmentRow) => ({ __typename: 'Teacher', id: e.teacherId }),
  trainingRecord: (e: EnrolmentRow, _: unknown, ctx: Context) => (e.trainingRecordId ? ctx.loaders.trainingRecordById.load(e.trainingRecordId) : null),
};
