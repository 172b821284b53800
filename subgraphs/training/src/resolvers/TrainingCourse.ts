import type { Context } from '../context';
import type { CourseRow } from '../repositories/catalogue';

export const TrainingCourse = {
  programme: (c: CourseRow, _: unknown, ctx: Context) => ctx.loaders.programmeById.load(c.programmeId),
  enrolments: (c: CourseRow, _: unknown, ctx: Context) => ctx.loaders.enrolmentsByCourseId.load(c.id),
};
