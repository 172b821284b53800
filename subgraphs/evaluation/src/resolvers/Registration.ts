import { parseAdminRole } from '../../../shared/src/identity';
import { decodeCursor, pageSize, toConnection } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { todayIso } from '../domain/dates';
import { evaluateRegistration, type RegistrationStage as Stage } from '../domain/registration';
import { summaryForCycle } from '../domain/training';
import { countDueRegistrations, findDueRegistrations, type RegistrationRow } from '../repositories/registrations';

/** The fields the gateway fetches from training and staffing-quota for `registrationEligibility` (@requires). */
interface TeacherWithRequires {
  id: string;
  trainingProgress?: { completedHours: number; cycle: { id: string; startsOn: string; endsOn: string; requiredHours: number } } | null;
  employments?: { startsOn: string; endsOn: string | null; onQuota?: boolean }[] | null;
  approvedLeaves?: { reason: string; startsOn: string; endsOn: string }[] | null;
}

const STAGE_VALUES = { OPEN: 'open', APPLIED: 'applied', FILED: 'filed', REGISTERED: 'registered' };
export const RegistrationStage = STAGE_VALUES;
export const RegistrationStatus = { PASS: 'pass', DEFERRED: 'deferred', FAIL: 'fail', OVERDUE: 'overdue' };

/** Ethics details in the reasons only for those who may read the ledger itself. */
const seesEthicsDetails = (ctx: Context) => {
  const admin = parseAdminRole(ctx.viewer.role);
  return ctx.viewer.role === 'teacher' || (admin !== null && admin.kind === 'info_admin' && admin.level !== 'school');
};

export const TeacherRegistrationFields = {
  qualificationRegistrations: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.registrationsByTeacherId.load(teacher.id),
  registrationEligibility: async (teacher: TeacherWithRequires, _: unknown, ctx: Context) => {
    const [registrations, assessments, ethics, summaries] = await Promise.all([
      ctx.loaders.registrationsByTeacherId.load(teacher.id),
      ctx.loaders.assessmentsByTeacherId.load(teacher.id),
      ctx.loaders.ethicsForRegistrationByTeacherId.load(teacher.id),
      ctx.loaders.trainingSummariesByTeacherId.load(teacher.id),
    ]);
    // The cycle being decided is the teacher's latest registration cycle, not the calendar's.
    const latest = registrations[0] ?? null;
    const outcome = evaluateRegistration({
      cycle: latest ? { startsOn: latest.cycleStartsOn, deadline: latest.deadline, stage: latest.stage, appliedOn: latest.appliedOn } : null,
      trainingSummary: latest ? summaryForCycle(summaries, latest.cycleStartsOn, latest.deadline) : null,
      training: teacher.trainingProgress ?? null,
      employments: teacher.employments ?? [],
      approvedLeaves: teacher.approvedLeaves ?? [],
      assessments,
      ethics,
      today: todayIso(),
      ethicsDetails: seesEthicsDetails(ctx),
    });
    return { ...outcome, registration: latest };
  },
};

export const QualificationRegistration = {
  teacher: (row: RegistrationRow) => ({ __typename: 'Teacher', id: row.teacherId }),
};

export const RegistrationQueries = {
  qualificationRegistrationsDue: async (
    _: unknown,
    args: { dueBy: string; stage?: Stage | null; first?: number | null; after?: string | null },
    ctx: Context,
  ) => {
    const limit = pageSize(args);
    const after = decodeCursor(args.after);
    const stage = args.stage ?? null;
    const rows = await findDueRegistrations(ctx.db, ctx.viewer, args.dueBy, stage, after, limit);
    return toConnection(rows, limit, (r) => r.id, () => countDueRegistrations(ctx.db, ctx.viewer, args.dueBy, stage));
  },
};
