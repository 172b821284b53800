import { bansOn, type ViolationFacts } from './ethics';
import { trainingShortfalls, type TrainingSummaryFact } from './training';

/**
 * Award gates [评优评先条件]: the ethics ledger (a ban bars awards), annual assessments (the last N
 * completed years pass or better, with at least K excellent) and training (the cycle running today
 * met, credits and hours, by training's own verdict). The programme stores N, K and whether training
 * counts. The nomination and `awardEligibility` decide the training gate from the same verdict.
 */
export interface AwardProgrammeGates {
  minYearsPassOrBetter: number;
  minExcellentInThoseYears: number;
  requiresTrainingComplete: boolean;
}

export interface AwardGate {
  key: 'ethics' | 'assessments' | 'excellent' | 'training';
  met: boolean | null;
  detail: string;
}

export function awardGates(
  programme: AwardProgrammeGates,
  facts: {
    assessments: readonly { year: number; grade: string }[];
    ethics: readonly ViolationFacts[];
    /** Training's verdict for the cycle running today (projection fed by training events). */
    trainingSummary: TrainingSummaryFact | null;
    /** Only where training's verdict has not arrived: the running cycle's hours read through @requires (display only). */
    trainingComplete?: boolean | null;
    today: string;
  },
): AwardGate[] {
  const gates: AwardGate[] = [];
  const bans = bansOn(facts.ethics, facts.today);
  gates.push({
    key: 'ethics',
    met: !bans.inForce,
    detail: bans.inForce ? (bans.permanent ? 'An ethics sanction bars awards permanently.' : `An ethics sanction bars awards until ${bans.until}.`) : 'No ethics ban is in force.',
  });
  const lastYear = Number(facts.today.slice(0, 4)) - 1;
  const years = Array.from({ length: programme.minYearsPassOrBetter }, (_, i) => lastYear - i);
  const byYear = new Map(facts.assessments.map((a) => [a.year, a.grade]));
  if (years.length > 0) {
    const problems = years.filter((y) => !['pass', 'excellent'].includes(byYear.get(y) ?? '')).sort();
    gates.push({
      key: 'assessments',
      met: problems.length === 0,
      detail:
        problems.length === 0
          ? `Annual assessments ${years.at(-1)}–${lastYear} are all pass or better.`
          : `Annual assessments ${years.at(-1)}–${lastYear} must all be pass or better; not so for ${problems.join(', ')}.`,
    });
  }
  if (programme.minExcellentInThoseYears > 0) {
    const excellent = years.filter((y) => byYear.get(y) === 'excellent').length;
    gates.push({
      key: 'excellent',
      met: excellent >= programme.minExcellentInThoseYears,
      detail: `${excellent} "excellent" grade(s) in ${years.at(-1)}–${lastYear}; ${programme.minExcellentInThoseYears} required.`,
    });
  }
  if (programme.requiresTrainingComplete) {
    const summary = facts.trainingSummary;
    if (summary) {
      gates.push({
        key: 'training',
        met: summary.isMet,
        detail: summary.isMet
          ? `Training for the cycle ${summary.startsOn} to ${summary.endsOn} is complete (${summary.hours} hours, ${summary.credits} of ${summary.requiredCredits} credits).`
          : trainingShortfalls(summary).join(' '),
      });
    } else if (facts.trainingComplete === true || facts.trainingComplete === false) {
      gates.push({
        key: 'training',
        met: facts.trainingComplete,
        detail: facts.trainingComplete ? 'The training hours of the current cycle are complete.' : 'The training hours of the current cycle are not complete.',
      });
    } else {
      // No verdict: the gate cannot be confirmed, so it is not met (a nomination is refused, not waved through).
      gates.push({ key: 'training', met: false, detail: 'Training has not reported the credits of the cycle running today for this teacher, so the training gate cannot be confirmed.' });
    }
  }
  return gates;
}
