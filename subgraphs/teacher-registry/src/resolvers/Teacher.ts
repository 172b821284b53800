import type { Context } from '../context';
import type { TeacherRow } from '../repositories/teachers';
import { normaliseUuid } from '../../../shared/src/ids';

export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => {
    const id = normaliseUuid(ref.id);
    return id ? ctx.loaders.teacherById.load(id) : null;
  },
  school: (teacher: TeacherRow, _: unknown, ctx: Context) => ctx.loaders.orgUnitById.load(teacher.schoolId),
};

/** GB/T 2261.1 codes behind the `Gender` enum. */
export const Gender = { UNKNOWN: 0, MALE: 1, FEMALE: 2, UNSPECIFIED: 9 };
