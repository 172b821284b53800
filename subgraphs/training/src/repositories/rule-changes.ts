import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { runMutation, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import { NATIONAL_DEFAULT, type TrainingForm } from '../domain/credit-rules';
import { InputCheck, today } from '../domain/validation';

/**
 * Provinces issue new rules from a date; past rules stay as they were so every deposit keeps the
 * meaning it had. A rule therefore starts today or later and after the latest rule of its kind.
 * The national default (CN) is set by national information administrators, a province's rules by
 * that province's (or national) ones.
 */
function checkAuthority(viewer: Viewer, provinceCode: string): void {
  const admin = parseAdminRole(viewer.role);
  const allowed = admin?.kind === 'info_admin' && (admin.level === 'national' || (admin.level === 'province' && viewer.orgId === provinceCode));
  if (!allowed) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'You may only set the rules of your own province.', ['input', 'provinceCode'])]);
}

function checkCode(check: InputCheck, provinceCode: string): void {
  check.check(provinceCode === NATIONAL_DEFAULT || /^\d{2}0000$/.test(provinceCode), 'provinceCode must be a province code such as 420000, or CN.', ['input', 'provinceCode']);
}

async function checkDate(trx: Knex.Transaction, table: string, where: Record<string, string>, effectiveFrom: string): Promise<void> {
  const latest = (await trx(table).where(where).max('effective_from as latest').first()) as { latest: string | null };
  if (effectiveFrom < today() || (latest.latest && effectiveFrom <= latest.latest)) {
    throw new UserErrorsAbort([
      userError(UserErrorCode.RULE_VIOLATION, `A new rule must start today or later${latest.latest ? ` and after the rule of ${latest.latest}` : ''}.`, ['input', 'effectiveFrom']),
    ]);
  }
}

export interface PolicyInput {
  provinceCode: string;
  effectiveFrom: string;
  cycleRequiredCredits: number;
  cycleRequiredHours: number;
  annualMinimumCredits?: number | null;
  creditsPerDegreeCredit?: number | null;
  sourceDocument: string;
}

export async function setCreditPolicy(db: Db, viewer: Viewer, input: PolicyInput) {
  const check = new InputCheck()
    .check(input.cycleRequiredCredits > 0 && input.cycleRequiredCredits <= 10000, 'cycleRequiredCredits must be more than 0 and at most 10000.', ['input', 'cycleRequiredCredits'])
    .check(input.cycleRequiredHours >= 360 && input.cycleRequiredHours <= 10000, 'cycleRequiredHours cannot be below the national floor of 360 hours per cycle.', ['input', 'cycleRequiredHours'])
    .check(
      input.annualMinimumCredits == null || (input.annualMinimumCredits > 0 && input.annualMinimumCredits <= input.cycleRequiredCredits),
      'annualMinimumCredits must be more than 0 and at most the cycle requirement.',
      ['input', 'annualMinimumCredits'],
    )
    .check(input.creditsPerDegreeCredit == null || (input.creditsPerDegreeCredit > 0 && input.creditsPerDegreeCredit <= 1000), 'creditsPerDegreeCredit must be more than 0.', ['input', 'creditsPerDegreeCredit'])
    .text(input.sourceDocument, ['input', 'sourceDocument']);
  checkCode(check, input.provinceCode);
  if (!check.ok) return { policy: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    checkAuthority(viewer, input.provinceCode);
    await checkDate(trx, db.t('credit_policy'), { province_code: input.provinceCode }, input.effectiveFrom);
    const id = randomUUID();
    await trx(db.t('credit_policy')).insert({
      id,
      province_code: input.provinceCode,
      effective_from: input.effectiveFrom,
      cycle_required_credits: input.cycleRequiredCredits,
      cycle_required_hours: input.cycleRequiredHours,
      annual_minimum_credits: input.annualMinimumCredits ?? null,
      credits_per_degree_credit: input.creditsPerDegreeCredit ?? null,
      source_document: input.sourceDocument.trim(),
    });
    return { policy: { id, ...input } };
  });
}

export async function setConversionRule(db: Db, viewer: Viewer, input: { provinceCode: string; form: TrainingForm; effectiveFrom: string; hoursPerCredit: number }) {
  const check = new InputCheck().check(
    Number.isFinite(input.hoursPerCredit) && input.hoursPerCredit >= 0.5 && input.hoursPerCredit <= 100,
    'hoursPerCredit must be from 0.5 to 100.',
    ['input', 'hoursPerCredit'],
  );
  checkCode(check, input.provinceCode);
  if (!check.ok) return { rule: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    checkAuthority(viewer, input.provinceCode);
    await checkDate(trx, db.t('credit_conversion_rule'), { province_code: input.provinceCode, form: input.form }, input.effectiveFrom);
    const id = randomUUID();
    await trx(db.t('credit_conversion_rule')).insert({ id, province_code: input.provinceCode, form: input.form, effective_from: input.effectiveFrom, hours_per_credit: input.hoursPerCredit });
    return { rule: { id, ...input } };
  });
}
