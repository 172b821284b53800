/**
 * Credit rules as data (教师〔2016〕12号): hours convert to credits by province, activity form and
 * date, and each province sets what a five-year cycle requires and an annual minimum. The tables
 * are small, so a request loads them once and these pure functions pick the rule in force.
 */
export type TrainingForm = 'centralised' | 'online' | 'school_based' | 'teaching_research' | 'practice';
export const TRAINING_FORMS: readonly TrainingForm[] = ['centralised', 'online', 'school_based', 'teaching_research', 'practice'];

/** Rules stored under this code apply wherever a province has none of its own. */
export const NATIONAL_DEFAULT = 'CN';

export interface CreditPolicyRow {
  id: string;
  provinceCode: string;
  effectiveFrom: string;
  cycleRequiredCredits: number;
  cycleRequiredHours: number;
  annualMinimumCredits: number | null;
  creditsPerDegreeCredit: number | null;
  sourceDocument: string | null;
}

export interface ConversionRuleRow {
  id: string;
  provinceCode: string;
  form: TrainingForm;
  effectiveFrom: string;
  hoursPerCredit: number;
}

export interface CreditRules {
  policies: CreditPolicyRow[];
  conversions: ConversionRuleRow[];
}

/** The province of an organisation path `/CN/420000/…/` is its second segment. */
export function provinceOfPath(orgPath: string): string {
  return orgPath.split('/')[2] ?? NATIONAL_DEFAULT;
}

/** Latest row effective on `on` for the province, falling back to the national default. */
function inForce<T extends { provinceCode: string; effectiveFrom: string }>(rows: readonly T[], provinceCode: string, on: string): T | null {
  let best: T | null = null;
  for (const row of rows) {
    if (row.effectiveFrom > on) continue;
    if (row.provinceCode !== provinceCode && row.provinceCode !== NATIONAL_DEFAULT) continue;
    if (!best) {
      best = row;
      continue;
    }
    const rowOwn = row.provinceCode === provinceCode;
    const bestOwn = best.provinceCode === provinceCode;
    if (rowOwn !== bestOwn ? rowOwn : row.effectiveFrom > best.effectiveFrom) best = row;
  }
  return best;
}

export function policyInForce(rules: CreditRules, provinceCode: string, on: string): CreditPolicyRow | null {
  return inForce(rules.policies, provinceCode, on);
}

export function conversionInForce(rules: CreditRules, provinceCode: string, form: TrainingForm, on: string): ConversionRuleRow | null {
  return inForce(
    rules.conversions.filter((r) => r.form === form),
    provinceCode,
    on,
  );
}

/** Credits rounded to two decimals, as the ledger stores them. */
export const roundCredits = (value: number) => Math.round(value * 100) / 100;

export function creditsFor(hours: number, rule: ConversionRuleRow): number {
  return roundCredits(hours / rule.hoursPerCredit);
}

export interface YearTotal {
  year: number;
  hours: number;
  credits: number;
}

export interface CycleSummary {
  provinceCode: string;
  hours: number;
  credits: number;
  requiredHours: number;
  requiredCredits: number;
  shortfallHours: number;
  shortfallCredits: number;
  isMet: boolean;
  annualMinimumCredits: number | null;
  years: (YearTotal & { minimumCredits: number | null; isMet: boolean })[];
}

/**
 * A cycle is met when both the province's credit requirement and the hour requirement (at least
 * the national floor of 360) are reached. Annual minimums are reported per year of the cycle up
 * to `today`; a year below its minimum is flagged but does not change the cycle verdict.
 */
export function summariseCycle(
  cycle: { startsOn: string; endsOn: string; requiredHours: number },
  policy: CreditPolicyRow | null,
  provinceCode: string,
  perYear: readonly YearTotal[],
  today: string,
): CycleSummary {
  const hours = roundCredits(perYear.reduce((sum, y) => sum + y.hours, 0));
  const credits = roundCredits(perYear.reduce((sum, y) => sum + y.credits, 0));
  const requiredHours = Math.max(cycle.requiredHours, policy?.cycleRequiredHours ?? 0);
  const requiredCredits = policy?.cycleRequiredCredits ?? requiredHours;
  const shortfallHours = roundCredits(Math.max(0, requiredHours - hours));
  const shortfallCredits = roundCredits(Math.max(0, requiredCredits - credits));
  const firstYear = Number(cycle.startsOn.slice(0, 4));
  const lastYear = Math.min(Number(cycle.endsOn.slice(0, 4)), Number(today.slice(0, 4)));
  const minimum = policy?.annualMinimumCredits ?? null;
  const years = [];
  for (let year = firstYear; year <= lastYear; year += 1) {
    const total = perYear.find((y) => y.year === year) ?? { year, hours: 0, credits: 0 };
    years.push({ year, hours: total.hours, credits: total.credits, minimumCredits: minimum, isMet: minimum === null || total.credits >= minimum });
  }
  return {
    provinceCode,
    hours,
    credits,
    requiredHours,
    requiredCredits,
    shortfallHours,
    shortfallCredits,
    isMet: shortfallHours === 0 && shortfallCredits === 0,
    annualMinimumCredits: minimum,
    years,
  };
}
