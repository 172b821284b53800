import type { Context } from '../context';

/** The reference arrives from the registry; the scope loader returns null outside the viewer's reach. */
export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.teacherById.load(ref.id),
  trainingRecords: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.trainingRecordsByTeacherId.load(teacher.id),
  trainingProgress: async (teacher: { id: string }, _: unknown, ctx: Context) => {
    const cycle = await ctx.loaders.currentCycle();
    if (!cycle) return null;
    const completedHours = await ctx.loaders.hoursInCurrentCycleByTeacherId.load(teacher.id);
    const remainingHours = Math.max(0, cycle.requiredHours - completedHours);
    return { cycle, completedHours, remainingHours, isComplete: remainingHours === 0 };
  },
};

export const TrainingForm = {
  CENTRALISED: 'centralised',
  ONLINE: 'online',
  SCHOOL_BASED: 'school_based',
  TEACHING_RESEARCH: 'teaching_research',
  PRACTICE: 'practice',
};
