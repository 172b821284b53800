import { overlapsYear, periodLastDay, within } from './dates';

export type SanctionType = 'warning' | 'demerit' | 'demotion' | 'removal' | 'dismissal';
export const SANCTION_TYPES: readonly SanctionType[] = ['warning', 'demerit', 'demotion', 'removal', 'dismissal'];

/**
 * Sanction periods [处分期] are national law (事业单位工作人员处分暂行规定 art. 8; 中小学教师违反职业道德
 * 行为处理办法), not provincial: warning 6 months, demerit 12, demotion or removal 24; dismissal ends
 * employment, so it has no period and its bans never lapse. Every sanction also bars awards,
 * promotion, title review, post appointment, pay rises and talent programmes for at least 24 months.
 */
export const SANCTION_PERIOD_MONTHS: Record<SanctionType, number | null> = {
  warning: 6,
  demerit: 12,
  demotion: 24,
  removal: 24,
  dismissal: null,
};
export const MINIMUM_BAN_MONTHS = 24;

/** Sanctions serious enough that qualification registration fails outright [情节严重]. */
export const SERIOUS_SANCTIONS: readonly SanctionType[] = ['demotion', 'removal', 'dismissal'];

export function sanctionDates(sanction: SanctionType, decidedOn: string): { periodEndsOn: string | null; banEndsOn: string | null } {
  const months = SANCTION_PERIOD_MONTHS[sanction];
  if (months === null) return { periodEndsOn: null, banEndsOn: null };
  return { periodEndsOn: periodLastDay(decidedOn, months), banEndsOn: periodLastDay(decidedOn, Math.max(months, MINIMUM_BAN_MONTHS)) };
}

export interface ViolationFacts {
  kind: 'honour' | 'violation';
  sanction: SanctionType | null;
  decidedOn: string;
  periodEndsOn: string | null;
  banEndsOn: string | null;
}

/** The six things a sanction bars, all for the same window. */
export const BAN_AREAS = ['awards', 'promotion', 'titleReview', 'postAppointment', 'payRise', 'talentProgrammes'] as const;

export interface BanStatus {
  on: string;
  inForce: boolean;
  /** Last day of the longest ban in force; null when none is in force or one is permanent. */
  until: string | null;
  permanent: boolean;
}

export function bansOn(entries: readonly ViolationFacts[], on: string): BanStatus {
  const active = entries.filter((e) => e.kind === 'violation' && within(on, e.decidedOn, e.sanction === 'dismissal' ? null : e.banEndsOn));
  const permanent = active.some((e) => e.sanction === 'dismissal');
  const until = permanent || active.length === 0 ? null : active.map((e) => e.banEndsOn as string).sort().at(-1) ?? null;
  return { on, inForce: active.length > 0, until, permanent };
}

/**
 * The grades a teacher's sanctions allow in an assessment year, or the reason one is refused:
 * a warning bars "excellent" in the year it was decided; a demerit, demotion, removal or dismissal
 * bars "pass" and better for every year its period touches (only basic pass or fail remain).
 */
export function sanctionRefusal(grade: string, year: number, entries: readonly ViolationFacts[]): string | null {
  const violations = entries.filter((e) => e.kind === 'violation');
  const heavy = violations.find((e) => e.sanction !== 'warning' && overlapsYear(e.decidedOn, e.sanction === 'dismissal' ? null : e.periodEndsOn, year));
  if (heavy && (grade === 'excellent' || grade === 'pass')) {
    return `A ${heavy.sanction} sanction decided on ${heavy.decidedOn} is in force during ${year}: only "basic pass" or "fail" can be entered for that year.`;
  }
  const warning = violations.find((e) => e.sanction === 'warning' && e.decidedOn.startsWith(`${year}-`));
  if (warning && grade === 'excellent') {
    return `A warning was decided on ${warning.decidedOn}: "excellent" cannot be entered for ${year}.`;
  }
  return null;
}
