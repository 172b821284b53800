import { addDays } from './dates';
import { SERIOUS_SANCTIONS, type ViolationFacts } from './ethics';
import { trainingShortfalls, type TrainingSummaryFact } from './training';

/**
 * Qualification periodic registration [教师资格定期注册] (教师〔2013〕9号): every five years. Pass needs
 * every condition; deferral on any one of: training short, away from teaching a semester or more,
 * one failing (or basic-pass) year, a sanction still in force at the deadline; fail on a serious
 * ethics violation or two consecutive failing years; overdue when the deadline passed without an
 * application. Reasons are written for the teacher.
 */
export type RegistrationStatus = 'pass' | 'deferred' | 'fail' | 'overdue';
export type RegistrationStage = 'open' | 'applied' | 'filed' | 'registered';

/** A semester [一学期] is about 20 weeks: a gap in service this long or longer defers registration. */
export const SEMESTER_DAYS = 140;
export const CYCLE_YEARS = 5;

export interface RegistrationFacts {
  cycle: { startsOn: string; deadline: string; stage: RegistrationStage; appliedOn: string | null } | null;
  /**
   * Training's verdict for this registration cycle (hours and provincial credits, `isMet`), from the
   * projection training feeds. When it has not arrived yet (undefined or null), the running cycle's
   * hours read through @requires (`training`) count if that cycle is the registration cycle.
   */
  trainingSummary?: TrainingSummaryFact | null;
  training: { completedHours: number; cycle: { startsOn: string; endsOn: string; requiredHours: number } } | null;
  employments: readonly { startsOn: string; endsOn: string | null; onQuota?: boolean }[];
  /** Approved absences (maternity, sick, study leave, secondment) from staffing-quota: they cover service gaps. */
  approvedLeaves?: readonly { reason: string; startsOn: string; endsOn: string }[];
  assessments: readonly { year: number; grade: string }[];
  ethics: readonly ViolationFacts[];
  today: string;
  /** False for viewers who may not see ethics entries (partners, schools): sanction details are left out of the reasons. */
  ethicsDetails?: boolean;
}

export interface RegistrationOutcome {
  /** Periodic registration applies to in-quota teachers in post [在编在岗]: an employment on the quota in force today. */
  required: boolean;
  status: RegistrationStatus;
  reasons: string[];
  trainingHours: number | null;
  requiredHours: number | null;
  /** Provincial credits banked in the cycle and required; null until training's verdict has arrived. */
  trainingCredits: number | null;
  requiredCredits: number | null;
  failingYears: number[];
}

const GRADE_WORDS: Record<string, string> = { excellent: 'excellent', pass: 'pass', basic_pass: 'basic pass', fail: 'fail' };
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** Stretches of at least SEMESTER_DAYS inside [from, to] that no employment covers. */
export function serviceGaps(employments: RegistrationFacts['employments'], from: string, to: string): { from: string; to: string; days: number }[] {
  const sorted = [...employments].sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  const gaps: { from: string; to: string; days: number }[] = [];
  let cursor = from; // first day not yet known to be covered
  for (const e of sorted) {
    if (cursor > to) break;
    if (e.startsOn > cursor) {
      const gapEnd = e.startsOn > to ? to : addDays(e.startsOn, -1);
      gaps.push({ from: cursor, to: gapEnd, days: daysBetween(cursor, gapEnd) + 1 });
    }
    if (e.endsOn === null) return gaps.filter((g) => g.days >= SEMESTER_DAYS);
    const next = addDays(e.endsOn, 1);
    if (next > cursor) cursor = next;
  }
  if (cursor <= to) gaps.push({ from: cursor, to, days: daysBetween(cursor, to) + 1 });
  return gaps.filter((g) => g.days >= SEMESTER_DAYS);
}

export function evaluateRegistration(facts: RegistrationFacts): RegistrationOutcome {
  const { cycle, today } = facts;
  const required = facts.employments.some((e) => e.onQuota !== false && e.startsOn <= today && (e.endsOn === null || e.endsOn >= today));
  const summary = facts.trainingSummary ?? null;
  const trainingHours = summary ? summary.hours : (facts.training?.completedHours ?? null);
  const requiredHours = summary ? summary.requiredHours : (facts.training?.cycle.requiredHours ?? null);
  const trainingCredits = summary?.credits ?? null;
  const requiredCredits = summary?.requiredCredits ?? null;
  const figures = { trainingHours, requiredHours, trainingCredits, requiredCredits };
  if (!cycle) {
    return { required, status: 'deferred', reasons: ['No registration cycle is on record for you yet; your county education bureau opens it.'], ...figures, failingYears: [] };
  }
  const failReasons: string[] = [];
  const deferReasons: string[] = [];
  const overdue = cycle.appliedOn === null ? today > cycle.deadline : cycle.appliedOn > cycle.deadline;
  const details = facts.ethicsDetails ?? true;

  // Ethics: a serious violation in the cycle fails; a lighter sanction still running at the deadline defers.
  for (const e of facts.ethics) {
    if (e.kind !== 'violation' || !e.sanction || e.decidedOn > cycle.deadline) continue;
    if (SERIOUS_SANCTIONS.includes(e.sanction) && (e.decidedOn >= cycle.startsOn || e.sanction === 'dismissal')) {
      failReasons.push(details ? `A serious ethics sanction (${e.sanction}) was decided on ${e.decidedOn}.` : 'A serious ethics sanction bars registration.');
    } else if (e.periodEndsOn !== null && e.periodEndsOn >= cycle.deadline) {
      deferReasons.push(
        details
          ? `Your ${e.sanction} decided on ${e.decidedOn} runs until ${e.periodEndsOn}, past the deadline ${cycle.deadline}.`
          : `An ethics sanction is still in force on the deadline ${cycle.deadline}.`,
      );
    }
  }

  // Annual assessments of the cycle's years.
  const firstYear = Number(cycle.startsOn.slice(0, 4));
  const lastYear = Number(cycle.deadline.slice(0, 4));
  const inCycle = facts.assessments.filter((a) => a.year >= firstYear && a.year <= lastYear).sort((a, b) => a.year - b.year);
  const failingYears = inCycle.filter((a) => a.grade === 'fail').map((a) => a.year);
  const consecutive = failingYears.find((year) => failingYears.includes(year + 1));
  if (consecutive !== undefined) {
    failReasons.push(`Your annual assessments were "fail" two years running (${consecutive} and ${consecutive + 1}).`);
  } else {
    for (const year of failingYears) deferReasons.push(`Your annual assessment for ${year} was "fail".`);
  }
  for (const a of inCycle.filter((x) => x.grade === 'basic_pass')) {
    deferReasons.push(`Your annual assessment for ${a.year} was "${GRADE_WORDS[a.grade]}"; every year must be "pass" or better.`);
  }

  // Training: training's own verdict for this registration cycle (credits and hours); failing that,
  // the running cycle's hours, counted only if it is this registration cycle.
  if (summary) {
    deferReasons.push(...trainingShortfalls(summary));
  } else if (!facts.training) {
    deferReasons.push('No training hours are on record for this cycle.');
  } else if (facts.training.cycle.startsOn !== cycle.startsOn || facts.training.cycle.endsOn !== cycle.deadline) {
    deferReasons.push(
      `Training hours are kept for the cycle ${facts.training.cycle.startsOn} to ${facts.training.cycle.endsOn}, which is not your registration cycle; they could not be counted.`,
    );
  } else if (facts.training.completedHours < facts.training.cycle.requiredHours) {
    const missing = facts.training.cycle.requiredHours - facts.training.completedHours;
    deferReasons.push(`You have ${facts.training.completedHours} of the ${facts.training.cycle.requiredHours} training hours the cycle requires (${missing} missing).`);
  }

  // Service gaps since the cycle (or the first employment) began, up to today or the deadline.
  const firstEmployment = [...facts.employments].map((e) => e.startsOn).sort()[0];
  const from = firstEmployment && firstEmployment > cycle.startsOn ? firstEmployment : cycle.startsOn;
  const to = today < cycle.deadline ? today : cycle.deadline;
  if (from <= to) {
    // An approved leave counts as service (教师〔2013〕9号: approved study, sick or maternity leave excepted).
    const covered = [...facts.employments, ...(facts.approvedLeaves ?? []).map((l) => ({ startsOn: l.startsOn, endsOn: l.endsOn }))];
    for (const gap of serviceGaps(covered, from, to)) {
      deferReasons.push(`You were not in post from ${gap.from} to ${gap.to} (${gap.days} days), a semester or more, and no approved leave covers it.`);
    }
  }

  const reasons = [...(overdue ? [`The deadline ${cycle.deadline} passed without an application in time.`] : []), ...failReasons, ...deferReasons];
  const status: RegistrationStatus = overdue ? 'overdue' : failReasons.length ? 'fail' : deferReasons.length ? 'deferred' : 'pass';
  return { required, status, reasons, ...figures, failingYears };
}
