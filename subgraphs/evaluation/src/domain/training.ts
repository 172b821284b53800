import type { CycleSummaryFact } from '../../../shared/src/events';

/**
 * Training's verdict for one teacher and one five-year cycle, as training publishes it
 * (`training.cycle-summaries-changed`, see repositories/training-summary.ts): the same figures as
 * training's `Teacher.trainingCycleSummary`. Credits are the province's unit [学分]; `isMet` needs
 * both the credits and the national floor of 360 hours.
 */
export type TrainingSummaryFact = Omit<CycleSummaryFact, 'teacherId'>;

/** The summary of exactly this cycle (a registration cycle is matched by its first and last day). */
export const summaryForCycle = (summaries: readonly TrainingSummaryFact[], startsOn: string, endsOn: string) =>
  summaries.find((s) => s.startsOn === startsOn && s.endsOn === endsOn) ?? null;

/** The summary of the cycle running on a day. */
export const summaryOn = (summaries: readonly TrainingSummaryFact[], day: string) => summaries.find((s) => s.startsOn <= day && day <= s.endsOn) ?? null;

const round = (n: number) => Math.round(n * 100) / 100;

/** What is missing, in the teacher's words; empty when the cycle is met. */
export function trainingShortfalls(summary: TrainingSummaryFact): string[] {
  if (summary.isMet) return [];
  const reasons: string[] = [];
  if (summary.hours < summary.requiredHours) {
    reasons.push(`You have ${summary.hours} of the ${summary.requiredHours} training hours the cycle requires (${round(summary.requiredHours - summary.hours)} missing).`);
  }
  if (summary.credits < summary.requiredCredits) {
    reasons.push(
      `You have ${summary.credits} of the ${summary.requiredCredits} training credits your province (${summary.provinceCode}) requires for the cycle (${round(summary.requiredCredits - summary.credits)} missing).`,
    );
  }
  if (reasons.length === 0) reasons.push('Training reports the cycle requirement as not met.');
  return reasons;
}
