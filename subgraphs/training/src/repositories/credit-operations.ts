import { randomUUID } from 'node:crypto';
import { publishCycleSummaries } from '../cycle-summary-events';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { conversionInForce, creditsFor, policyInForce, roundCredits, type CreditRules, type TrainingForm } from '../domain/credit-rules';
import { InputCheck, today } from '../domain/validation';
import { findTeacherInScope } from './activities';
import { loadCreditRules, type LedgerEntryRow } from './credit-bank';
import { findCycleOn } from './training';

const LEDGER_COLUMNS = [
  'e.id',
  'e.teacher_id as teacherId',
  'e.entry_type as entryType',
  'e.credit_kind as creditKind',
  'e.province_code as provinceCode',
  'e.form',
  'e.hours',
  'e.credits',
  'e.activity_on as activityOn',
  'e.title',
  'e.training_record_id as trainingRecordId',
  'e.conversion_id as conversionId',
  'e.converts_entry_id as convertsEntryId',
  'e.rule_id as ruleId',
  'e.reason',
  'e.recorded_by as recordedBy',
  'e.recorded_at as recordedAt',
];

/** Open entries: credits still present (a deposit or conversion in that no conversion out has taken). */
function openEntries(runner: Knex | Knex.Transaction, db: Db, teacherId: string) {
  return runner(db.t('credit_ledger_entry as e'))
    .where('e.teacher_id', teacherId)
    .whereNot('e.entry_type', 'conversion_out')
    .whereNotExists((q) =>
      q.select(runner.raw('1')).from(db.t('credit_ledger_entry as o')).whereRaw('o.converts_entry_id = e.id').andWhere('o.entry_type', 'conversion_out'),
    );
}

export interface ConvertInput {
  teacherId: string;
  entryIds: string[];
  toForm?: TrainingForm | null;
  toProvinceCode?: string | null;
  toDegree?: boolean | null;
  reason: string;
}

type Target = { kind: 'form'; form: TrainingForm } | { kind: 'province'; provinceCode: string } | { kind: 'degree' };

/**
 * Writes the two sides of each conversion: a negative entry that closes the source entry and a
 * positive entry under the new form, province or as degree credits. Hours are the invariant;
 * credits follow the rules in force on the activity's date. The source entries are locked, and a
 * unique index refuses converting one entry twice.
 */
export async function writeConversions(
  trx: Knex.Transaction,
  db: Db,
  rules: CreditRules,
  teacherId: string,
  entries: LedgerEntryRow[],
  target: Target,
  reason: string,
  recordedBy: string,
): Promise<LedgerEntryRow[]> {
  const written: string[] = [];
  for (const entry of entries) {
    const conversionId = randomUUID();
    let inside: { creditKind: 'training' | 'degree'; provinceCode: string; form: TrainingForm; credits: number; ruleId: string | null };
    if (target.kind === 'degree') {
      const policy = policyInForce(rules, entry.provinceCode, today());
      if (!policy?.creditsPerDegreeCredit) {
        throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `Province ${entry.provinceCode} has no rule converting training credits into degree credits.`, ['input', 'toDegree'])]);
      }
      inside = { creditKind: 'degree', provinceCode: entry.provinceCode, form: entry.form, credits: roundCredits(entry.credits / policy.creditsPerDegreeCredit), ruleId: policy.id };
    } else {
      const provinceCode = target.kind === 'province' ? target.provinceCode : entry.provinceCode;
      const form = target.kind === 'form' ? target.form : entry.form;
      const rule = conversionInForce(rules, provinceCode, form, entry.activityOn);
      if (!rule) throw new Error(`no conversion rule for ${provinceCode}/${form}`);
      inside = { creditKind: 'training', provinceCode, form, credits: creditsFor(entry.hours, rule), ruleId: rule.id };
    }
    const outId = randomUUID();
    const inId = randomUUID();
    await trx(db.t('credit_ledger_entry')).insert([
      {
        id: outId, teacher_id: teacherId, entry_type: 'conversion_out', credit_kind: entry.creditKind, province_code: entry.provinceCode, form: entry.form,
        hours: -entry.hours, credits: -entry.credits, activity_on: entry.activityOn, title: entry.title, conversion_id: conversionId,
        converts_entry_id: entry.id, reason, recorded_by: recordedBy,
      },
      {
        id: inId, teacher_id: teacherId, entry_type: 'conversion_in', credit_kind: inside.creditKind, province_code: inside.provinceCode, form: inside.form,
        hours: entry.hours, credits: inside.credits, activity_on: entry.activityOn, title: entry.title, conversion_id: conversionId,
        rule_id: inside.ruleId, reason, recorded_by: recordedBy,
      },
    ]);
    written.push(outId, inId);
  }
  const rows = (await trx(db.t('credit_ledger_entry as e')).select(LEDGER_COLUMNS).whereIn('e.id', written)) as LedgerEntryRow[];
  // The cycle verdicts may have changed (a conversion to degree credits leaves the cycle): tell evaluation.
  await publishCycleSummaries(trx, db, rules, [teacherId]);
  return written.map((id) => rows.find((r) => r.id === id) as LedgerEntryRow);
}

export async function convertCredits(db: Db, viewer: Viewer, input: ConvertInput) {
  const targets: Target[] = [];
  if (input.toForm) targets.push({ kind: 'form', form: input.toForm });
  if (input.toProvinceCode != null) targets.push({ kind: 'province', provinceCode: input.toProvinceCode });
  if (input.toDegree) targets.push({ kind: 'degree' });
  const check = new InputCheck()
    .text(input.reason, ['input', 'reason'], { max: 500 })
    .check(targets.length === 1, 'Give exactly one of toForm, toProvinceCode and toDegree.', ['input'])
    .check(input.entryIds.length >= 1 && input.entryIds.length <= 200, 'entryIds must list 1 to 200 entries.', ['input', 'entryIds']);
  if (input.toProvinceCode != null) check.check(/^\d{2}0000$/.test(input.toProvinceCode), 'toProvinceCode must be a six-digit province code such as 420000.', ['input', 'toProvinceCode']);
  if (!check.ok) return { entries: [], errors: check.errors };
  const target = targets[0] as Target;
  // The partial unique indexes are the last word on "converted once" / "used once": a race that slips
  // past the row locks ends as CONFLICT on this field with nothing stored (runMutation).
  return runMutation(db.knex, async (trx) => {
    const teacher = await findTeacherInScope(trx, db, viewer, input.teacherId);
    if (!teacher) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your scope.', ['input', 'teacherId'])]);
    const ids = input.entryIds.map(normaliseUuid);
    // Lock the teacher's open entries so two conversions of one entry serialise.
    const open = (await openEntries(trx, db, teacher.id)
      .select(LEDGER_COLUMNS)
      .whereIn('e.id', ids.filter((id): id is string => id !== null))
      .forUpdate('e')) as LedgerEntryRow[];
    const errors: UserError[] = [];
    const entries: LedgerEntryRow[] = [];
    input.entryIds.forEach((raw, i) => {
      const entry = open.find((e) => e.id === ids[i]);
      if (!entry) errors.push(userError(UserErrorCode.NOT_FOUND, `Entry ${raw} is not an open entry of this teacher.`, ['input', 'entryIds', String(i)]));
      else if (entry.creditKind !== 'training') errors.push(userError(UserErrorCode.RULE_VIOLATION, `Entry ${raw} already counts towards a degree.`, ['input', 'entryIds', String(i)]));
      else if (target.kind === 'form' && entry.form === target.form) errors.push(userError(UserErrorCode.INVALID_INPUT, `Entry ${raw} is already counted as ${target.form}.`, ['input', 'toForm']));
      else if (target.kind === 'province' && entry.provinceCode === target.provinceCode) errors.push(userError(UserErrorCode.INVALID_INPUT, `Entry ${raw} is already under ${target.provinceCode}'s rules.`, ['input', 'toProvinceCode']));
      else entries.push(entry);
    });
    if (errors.length) throw new UserErrorsAbort(errors);
    const written = await writeConversions(trx, db, await loadCreditRules(db, trx), teacher.id, entries, target, input.reason.trim(), viewer.subject);
    return { entries: written };
  }, { raceField: ['input', 'entryIds'] });
}

/**
 * When a teacher moves to another province, the credits of the running cycle are re-expressed
 * under the new province's rules (credits move with the teacher; within a province nothing
 * changes). Runs inside the event's transaction, so a redelivered event converts nothing twice.
 */
export async function convertOnProvinceChange(trx: Knex.Transaction, db: Db, teacherId: string, toProvinceCode: string, effectiveOn: string): Promise<number> {
  const cycle = await findCycleOn(db, effectiveOn, trx);
  if (!cycle) return 0;
  const entries = (await openEntries(trx, db, teacherId)
    .select(LEDGER_COLUMNS)
    .where('e.credit_kind', 'training')
    .whereNot('e.province_code', toProvinceCode)
    .whereBetween('e.activity_on', [cycle.startsOn, cycle.endsOn])
    .forUpdate('e')) as LedgerEntryRow[];
  if (entries.length === 0) return 0;
  await writeConversions(trx, db, await loadCreditRules(db, trx), teacherId, entries, { kind: 'province', provinceCode: toProvinceCode }, `transfer to province ${toProvinceCode} on ${effectiveOn}`, 'event:teacher.affiliation-changed');
  return entries.length;
}

export type ApplicationPurpose = 'registration' | 'assessment' | 'title_review' | 'award';

export interface ApplicationRow {
  id: string;
  teacherId: string;
  purpose: ApplicationPurpose;
  reference: string;
  credits: number;
  hours: number;
}

const APPLICATION_COLUMNS = ['a.id', 'a.teacher_id as teacherId', 'a.purpose', 'a.reference', 'a.credits', 'a.hours'];

export async function findApplicationsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<ApplicationRow[]> {
  return db.knex(db.t('credit_application as a')).select(APPLICATION_COLUMNS).whereIn('a.teacher_id', teacherIds as string[]).orderBy('a.applied_at', 'desc');
}

export async function findEntriesByApplicationIds(db: Db, applicationIds: readonly string[]): Promise<(LedgerEntryRow & { applicationId: string })[]> {
  return db
    .knex(db.t('credit_application_item as i'))
    .join(db.t('credit_ledger_entry as e'), 'e.id', 'i.entry_id')
    .select([...LEDGER_COLUMNS, 'i.application_id as applicationId'])
    .whereIn('i.application_id', applicationIds as string[])
    .orderBy('e.activity_on');
}

/**
 * Registration, title review, awards and assessment rely on banked credits without re-declaring
 * them. The application references the entries it used (oldest first, training credits of the
 * cycle running today); for a single-use purpose, entries already used for it are skipped, and a
 * partial unique index refuses using one twice. A replay (same reference) returns the first one.
 */
export async function applyCredits(db: Db, viewer: Viewer, input: { teacherId: string; purpose: ApplicationPurpose; reference: string; credits?: number | null }) {
  const check = new InputCheck().text(input.reference, ['input', 'reference'], { max: 100 });
  if (input.credits != null) check.check(Number.isFinite(input.credits) && input.credits > 0 && input.credits <= 10000, 'credits must be more than 0 and at most 10000.', ['input', 'credits']);
  if (!check.ok) return { application: null, errors: check.errors };
  // The partial unique indexes are the last word on "converted once" / "used once": a race that slips
  // past the row locks ends as CONFLICT on this field with nothing stored (runMutation).
  return runMutation(db.knex, async (trx) => {
    const teacher = await findTeacherInScope(trx, db, viewer, input.teacherId);
    if (!teacher) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your scope.', ['input', 'teacherId'])]);
    const reference = input.reference.trim();
    const existing = (await trx(db.t('credit_application as a')).first(APPLICATION_COLUMNS).where({ 'a.teacher_id': teacher.id, 'a.purpose': input.purpose, 'a.reference': reference })) as
      | ApplicationRow
      | undefined;
    if (existing) return { application: existing };
    const purpose = (await trx(db.t('credit_application_purpose')).first('single_use as singleUse').where('code', input.purpose)) as { singleUse: boolean };
    const cycle = await findCycleOn(db, today(), trx);
    if (!cycle) throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, 'No training cycle is running today.')]);
    const candidates = openEntries(trx, db, teacher.id)
      .select(LEDGER_COLUMNS)
      .where('e.credit_kind', 'training')
      .whereBetween('e.activity_on', [cycle.startsOn, cycle.endsOn])
      .orderBy([{ column: 'e.activity_on' }, { column: 'e.id' }])
      .forUpdate('e');
    if (purpose.singleUse) {
      candidates.whereNotExists((q) =>
        q.select(trx.raw('1')).from(db.t('credit_application_item as i')).whereRaw('i.entry_id = e.id').andWhere('i.purpose', input.purpose),
      );
    }
    const usable = (await candidates) as LedgerEntryRow[];
    const available = roundCredits(usable.reduce((sum, e) => sum + e.credits, 0));
    const wanted = input.credits ?? available;
    if (usable.length === 0 || available < wanted) {
      throw new UserErrorsAbort([
        userError(
          UserErrorCode.RULE_VIOLATION,
          `Only ${available} credits of the current cycle are available for ${input.purpose}${purpose.singleUse ? ' (single use: credits already used for it do not count)' : ''}.`,
          ['input', 'credits'],
        ),
      ]);
    }
    const used: LedgerEntryRow[] = [];
    let sum = 0;
    for (const entry of usable) {
      if (sum >= wanted) break;
      used.push(entry);
      sum = roundCredits(sum + entry.credits);
    }
    const id = randomUUID();
    await trx(db.t('credit_application')).insert({
      id,
      teacher_id: teacher.id,
      purpose: input.purpose,
      reference,
      credits: sum,
      hours: roundCredits(used.reduce((h, e) => h + e.hours, 0)),
      applied_by: viewer.subject,
    });
    await trx(db.t('credit_application_item')).insert(
      used.map((e) => ({ application_id: id, entry_id: e.id, purpose: input.purpose, single_use: purpose.singleUse, credits: e.credits })),
    );
    return { application: (await trx(db.t('credit_application as a')).first(APPLICATION_COLUMNS).where('a.id', id)) as ApplicationRow };
  }, { raceField: ['input', 'reference'] });
}
