import type { Context } from '../context';
import { todayIso } from '../domain/dates';
import { titleConditions, type PostSlotFact } from '../domain/title-review';
import type { TitleApplicationRow } from '../repositories/title-review';

/** The fields the gateway fetches from the registry, staffing-quota and training for `titleReviewCheck` (@requires). */
interface TeacherWithTitleRequires {
  id: string;
  educationLevel?: { code: string } | null;
  title?: { code: string } | null;
  titleAppointments?: { title: { code: string }; appointedOn: string; endsOn: string | null }[] | null;
  school?: {
    school?: { locale: string } | null;
    freePostSlots?: { category: string; grade: number; ceiling: number; occupied: number | null; free: number | null }[] | null;
  } | null;
  ruralOrWeakSchoolServiceYears?: number | null;
  trainingProgress?: { isComplete: boolean } | null;
}

export const TeacherTitle = { SENIOR_PROFESSOR: 'senior_professor', SENIOR: 'senior', FIRST: 'first', SECOND: 'second' };
export const TitleApplicationStage = {
  APPLIED: 'applied',
  PUBLICISED: 'publicised',
  PRE_REVIEWED: 'pre_reviewed',
  APPROVED: 'approved',
  REJECTED: 'rejected',
  APPOINTMENT_PENDING: 'appointment_pending',
  SLOT_REFUSED: 'slot_refused',
  APPOINTED: 'appointed',
};

export const TeacherTitleFields = {
  titleApplications: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.titleApplicationsByTeacherId.load(teacher.id),
  titleReviewCheck: async (teacher: TeacherWithTitleRequires, args: { targetTitle: string }, ctx: Context) => {
    const orgPath = await ctx.loaders.orgPathByTeacherId.load(teacher.id);
    const province = orgPath?.split('/')[2] ?? '';
    const [requirements, assessments, ethics] = await Promise.all([
      ctx.loaders.titleRequirementsByProvince.load(province),
      ctx.loaders.assessmentsByTeacherId.load(teacher.id),
      ctx.loaders.ethicsForTitleReviewByTeacherId.load(teacher.id),
    ]);
    // Provincial rows sort before national ones of the same target; the first match applies.
    const requirement =
      requirements.find((r) => r.targetTitle === args.targetTitle && r.provinceCode !== null) ?? requirements.find((r) => r.targetTitle === args.targetTitle);
    if (!requirement) {
      return { targetTitle: args.targetTitle, currentTitle: teacher.title?.code ?? null, yearsInCurrentTitle: null, ruralOrWeakSchoolServiceYears: teacher.ruralOrWeakSchoolServiceYears ?? null, conditions: [], allCheckedMet: false, source: 'no requirement in force' };
    }
    const { conditions, yearsInCurrentTitle } = titleConditions(requirement, {
      educationCode: teacher.educationLevel?.code ?? null,
      currentTitle: teacher.title?.code ?? null,
      titleAppointments: (teacher.titleAppointments ?? []).map((a) => ({ title: a.title.code, appointedOn: a.appointedOn, endsOn: a.endsOn })),
      schoolLocale: teacher.school?.school?.locale ?? null,
      // Slots whose counts staffing-quota withholds (viewers who may not see persons) count as unread.
      postSlots: readSlots(teacher.school?.freePostSlots ?? null),
      ruralOrWeakServiceYears: teacher.ruralOrWeakSchoolServiceYears ?? null,
      trainingComplete: teacher.trainingProgress ? teacher.trainingProgress.isComplete : null,
      assessments,
      ethics,
      today: todayIso(),
    });
    return {
      targetTitle: args.targetTitle,
      currentTitle: teacher.title?.code ?? null,
      yearsInCurrentTitle,
      ruralOrWeakSchoolServiceYears: teacher.ruralOrWeakSchoolServiceYears ?? null,
      conditions,
      allCheckedMet: conditions.every((c) => c.met !== false),
      source: requirement.source,
    };
  },
};

export const TitleApplication = {
  teacher: (row: TitleApplicationRow) => ({ __typename: 'Teacher', id: row.teacherId }),
  school: (row: TitleApplicationRow) => ({ __typename: 'OrgUnit', id: row.schoolId }),
};

function readSlots(slots: { category: string; grade: number; ceiling: number; occupied: number | null; free: number | null }[] | null): PostSlotFact[] | null {
  if (!slots || slots.some((s) => s.occupied === null || s.free === null)) return null;
  return slots as PostSlotFact[];
}
