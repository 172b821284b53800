import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { publishCycleSummaries } from '../cycle-summary-events';
import { inSubtreeSql, whereOrgInScope } from '../../../shared/src/org-scope';
import { drainDirtyMarks } from '../../../shared/src/dirty-marks';
import { today } from '../domain/validation';
import {
  conversionInForce,
  creditsFor,
  type ConversionRuleRow,
  type CreditPolicyRow,
  type CreditRules,
  type TrainingForm,
} from '../domain/credit-rules';

type Runner = Knex | Knex.Transaction;

export async function loadCreditRules(db: Db, runner: Runner = db.knex): Promise<CreditRules> {
  const [policies, conversions] = await Promise.all([
    runner(db.t('credit_policy'))
      .select(
        'id',
        'province_code as provinceCode',
        'effective_from as effectiveFrom',
        'cycle_required_credits as cycleRequiredCredits',
        'cycle_required_hours as cycleRequiredHours',
        'annual_minimum_credits as annualMinimumCredits',
        'credits_per_degree_credit as creditsPerDegreeCredit',
        'source_document as sourceDocument',
      )
      .orderBy([{ column: 'province_code' }, { column: 'effective_from' }]) as Promise<CreditPolicyRow[]>,
    runner(db.t('credit_conversion_rule'))
      .select('id', 'province_code as provinceCode', 'form', 'effective_from as effectiveFrom', 'hours_per_credit as hoursPerCredit')
      .orderBy([{ column: 'province_code' }, { column: 'form' }, { column: 'effective_from' }]) as Promise<ConversionRuleRow[]>,
  ]);
  return { policies, conversions };
}

export interface LedgerEntryRow {
  id: string;
  teacherId: string;
  entryType: 'deposit' | 'conversion_out' | 'conversion_in';
  creditKind: 'training' | 'degree';
  provinceCode: string;
  form: TrainingForm;
  hours: number;
  credits: number;
  activityOn: string;
  title: string;
  trainingRecordId: string | null;
  conversionId: string | null;
  convertsEntryId: string | null;
  ruleId: string | null;
  reason: string | null;
  recordedBy: string;
  recordedAt: Date;
}

const LEDGER_COLUMNS = [
  'id',
  'teacher_id as teacherId',
  'entry_type as entryType',
  'credit_kind as creditKind',
  'province_code as provinceCode',
  'form',
  'hours',
  'credits',
  'activity_on as activityOn',
  'title',
  'training_record_id as trainingRecordId',
  'conversion_id as conversionId',
  'converts_entry_id as convertsEntryId',
  'rule_id as ruleId',
  'reason',
  'recorded_by as recordedBy',
  'recorded_at as recordedAt',
];

export interface RecordToBank {
  id: string;
  teacherId: string;
  title: string;
  form: TrainingForm;
  hours: number;
  completedOn: string;
}

/**
 * Deposits one completed activity. The partial unique index on training_record_id makes this
 * idempotent: a replay or a concurrent second attempt inserts nothing and returns null.
 */
export async function bankTrainingRecord(
  trx: Knex.Transaction,
  db: Db,
  rules: CreditRules,
  record: RecordToBank,
  provinceCode: string,
  recordedBy: string,
): Promise<LedgerEntryRow | null> {
  const rule = conversionInForce(rules, provinceCode, record.form, record.completedOn);
  if (!rule) throw new Error(`no credit conversion rule for ${provinceCode}/${record.form} on ${record.completedOn}`);
  const result = await trx.raw(
    `insert into ${db.t('credit_ledger_entry')}
       (id, teacher_id, entry_type, credit_kind, province_code, form, hours, credits, activity_on, title, training_record_id, rule_id, recorded_by)
     values (?, ?, 'deposit', 'training', ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (training_record_id) where entry_type = 'deposit' do nothing
     returning id`,
    [randomUUID(), record.teacherId, provinceCode, record.form, record.hours, creditsFor(record.hours, rule), record.completedOn, record.title, record.id, rule.id, recordedBy],
  );
  const id = (result.rows as { id: string }[])[0]?.id;
  if (!id) return null;
  // A deposit changes the teacher's cycle verdict: evaluation learns it in the same transaction.
  await publishCycleSummaries(trx, db, rules, [record.teacherId]);
  return (await trx(db.t('credit_ledger_entry')).first(LEDGER_COLUMNS).where('id', id)) as LedgerEntryRow;
}

/** Set-based banking of every record not yet in the ledger (demo loading; same rule choice as the migration). */
export async function bankUnbankedRecords(trx: Knex.Transaction, db: Db, recordedBy: string, teacherId?: string): Promise<number> {
  const result = await trx.raw(
    `insert into ${db.t('credit_ledger_entry')}
       (id, teacher_id, entry_type, credit_kind, province_code, form, hours, credits, activity_on, title, training_record_id, rule_id, recorded_by)
     select gen_random_uuid(), r.teacher_id, 'deposit', 'training', split_part(s.org_path, '/', 3), r.form, r.hours,
            round(r.hours / rule.hours_per_credit, 2), r.completed_on, r.title, r.id, rule.id, ?
       from ${db.t('training_record')} r
       join ${db.t('teacher_scope')} s on s.teacher_id = r.teacher_id
       cross join lateral (
         select c.id, c.hours_per_credit from ${db.t('credit_conversion_rule')} c
          where c.form = r.form and c.effective_from <= r.completed_on
            and c.province_code in (split_part(s.org_path, '/', 3), 'CN')
          order by c.province_code = 'CN', c.effective_from desc limit 1) rule
      where not exists (select 1 from ${db.t('credit_ledger_entry')} e where e.training_record_id = r.id and e.entry_type = 'deposit')
        and (?::uuid is null or r.teacher_id = ?::uuid)`,
    [recordedBy, teacherId ?? null, teacherId ?? null],
  );
  // The verdicts of the teacher (or, for a whole load, of every teacher) go to evaluation, also when
  // nothing was banked: a teacher just registered learns their empty cycle rather than nothing.
  await publishCycleSummaries(trx, db, await loadCreditRules(db, trx), teacherId ? [teacherId] : 'all');
  return result.rowCount ?? 0;
}

export interface TeacherYearTotalRow {
  teacherId: string;
  orgPath: string;
  year: number | null;
  hours: number;
  credits: number;
}

/**
 * Training hours and credits per teacher and activity year inside [from, to], with the teacher's
 * organisation path (for the province), in one statement for a whole page of teachers. Teachers
 * without entries still return one row (year null) so their province is known.
 */
export async function yearTotalsByTeacherIds(db: Db, teacherIds: readonly string[], from: string, to: string): Promise<TeacherYearTotalRow[]> {
  const { knex } = db;
  return knex(db.t('teacher_scope as s'))
    .leftJoin(db.t('credit_ledger_entry as e'), (j) =>
      j
        .on('e.teacher_id', 's.teacher_id')
        .andOnVal('e.credit_kind', 'training')
        .andOnVal('e.activity_on', '>=', from)
        .andOnVal('e.activity_on', '<=', to),
    )
    .whereIn('s.teacher_id', teacherIds as string[])
    .groupBy('s.teacher_id', 's.org_path', knex.raw('extract(year from e.activity_on)'))
    .select(
      's.teacher_id as teacherId',
      's.org_path as orgPath',
      knex.raw('extract(year from e.activity_on)::int as year'),
      knex.raw('coalesce(sum(e.hours), 0) as hours'),
      knex.raw('coalesce(sum(e.credits), 0) as credits'),
    );
}

/** Callers pass ids already authorised through the teacher_scope projection. Newest first. */
export async function ledgerEntriesByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<LedgerEntryRow[]> {
  return db
    .knex(db.t('credit_ledger_entry'))
    .select(LEDGER_COLUMNS)
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'activity_on', order: 'desc' }, { column: 'recorded_at', order: 'desc' }, { column: 'id' }]);
}

export interface BalanceRow {
  teacherId: string;
  trainingHours: number;
  trainingCredits: number;
  degreeCredits: number;
  entryCount: number;
  openCredits: number;
}

/**
 * Balances derived from the ledger. `openCredits` sums the entries not converted away; it must
 * equal `trainingCredits + degreeCredits` (the reconciliation the API exposes and tests check).
 */
export async function balancesByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<BalanceRow[]> {
  const { knex } = db;
  return knex(db.t('credit_ledger_entry as e'))
    .whereIn('e.teacher_id', teacherIds as string[])
    .groupBy('e.teacher_id')
    .select(
      'e.teacher_id as teacherId',
      knex.raw(`coalesce(sum(e.hours) filter (where e.credit_kind = 'training'), 0) as "trainingHours"`),
      knex.raw(`coalesce(sum(e.credits) filter (where e.credit_kind = 'training'), 0) as "trainingCredits"`),
      knex.raw(`coalesce(sum(e.credits) filter (where e.credit_kind = 'degree'), 0) as "degreeCredits"`),
      knex.raw('count(*) as "entryCount"'),
      knex.raw(
        `coalesce(sum(e.credits) filter (where e.entry_type <> 'conversion_out' and not exists (
           select 1 from ${db.t('credit_ledger_entry')} o where o.converts_entry_id = e.id and o.entry_type = 'conversion_out')), 0) as "openCredits"`,
      ),
    );
}

export interface CompletionRow {
  orgId: string;
  teacherCount: number;
  metCount: number;
  credits: number;
}

/**
 * Completion of the cycle requirement over each unit's whole subtree, read from the rollup
 * (migration 20261130100000: per cycle and school, kept current by triggers, recounted here
 * first): the same figures as `completionByOrgIdsLive`, summing school rows instead of every
 * teacher's ledger. A cycle that is not a `training_cycle` row, or a day other than the one the
 * loader judges on (min(cycle end, today)), is answered live. Units outside the viewer's scope
 * return no row.
 */
export async function completionByOrgIds(
  db: Db,
  viewer: Viewer,
  orgIds: readonly string[],
  cycle: { id?: string; startsOn: string; endsOn: string; requiredHours: number },
  asOf: string,
  day: string = today(),
): Promise<CompletionRow[]> {
  const { knex } = db;
  let cycleId = cycle.id;
  if (cycleId === undefined) {
    const [known] = (
      await knex.raw(`select id from ?? where starts_on = ?::date and ends_on = ?::date and required_hours = ?`, [db.t('training_cycle'), cycle.startsOn, cycle.endsOn, cycle.requiredHours])
    ).rows as { id: string }[];
    cycleId = known?.id;
  }
  if (cycleId === undefined || asOf !== (cycle.endsOn < day ? cycle.endsOn : day)) return completionByOrgIdsLive(db, viewer, orgIds, cycle, asOf);
  const units = whereOrgInScope(knex(db.t('org_scope')).select('org_id', 'org_path').whereIn('org_id', orgIds as string[]), 'org_path', viewer, {
    aggregate: true,
  }).toSQL();
  // One statement when the rollup is current: the sums, and whether they may be used (nothing
  // dirty, judged on `day`, no recount of everything pending). One lateral sum per unit; paths end
  // in '/', so a subtree is the byte range [path, path with its last '/' turned into '0'), which
  // the text_pattern_ops index reads directly.
  const read = async () =>
    (
      await knex.raw(
        `with units as (${units.sql}),
         fresh as (select not exists (select 1 from ${db.t('training_completion_dirty')})
                          and exists (select 1 from ${db.t('training_completion_state')} where id = 1 and as_of = ?::date and not recount_all) as fresh)
         select u.org_id as "orgId", coalesce(r.teacher_count, 0) as "teacherCount", coalesce(r.met_count, 0) as "metCount", coalesce(r.credits, 0) as credits, f.fresh
           from units u
           cross join fresh f
           cross join lateral (
             select sum(teacher_count)::int as teacher_count, sum(met_count)::int as met_count, sum(credits) as credits
               from ${db.t('training_completion_rollup')}
              where cycle_id = ? and ${inSubtreeSql('school_path', 'u.org_path')}) r`,
        [...units.bindings, day, cycleId],
      )
    ).rows as (CompletionRow & { fresh: boolean })[];
  let rows = await read();
  if (rows.some((r) => !r.fresh)) {
    await refreshCompletionRollup(db, day);
    rows = await read();
  }
  return rows.map(({ fresh: _fresh, ...row }) => row);
}

/** Chunk of dirty schools recounted per transaction (each chunk stays done if a request times out). */
export const COMPLETION_ROLLUP_CHUNK = 500;

/**
 * Brings the completion rollup up to date for `day`: a cheap check first; on a new day (or after
 * a policy or cycle change) one short transaction holding the state row's lock moves `as_of` and,
 * when a policy took effect in between or a recount of everything was asked for, marks every
 * school; then the dirty schools are recounted in chunks (drainDirtyMarks).
 */
export async function refreshCompletionRollup(db: Db, day: string = today()): Promise<void> {
  const state = db.t('training_completion_state');
  const dirty = db.t('training_completion_dirty');
  const [check] = (
    await db.knex.raw(`select (select as_of <> ?::date or recount_all from ?? where id = 1) as stale, exists (select 1 from ??) as dirty`, [day, state, dirty])
  ).rows as { stale: boolean; dirty: boolean }[];
  if (!check?.stale && !check?.dirty) return;
  if (check.stale) {
    await db.knex.transaction(async (trx) => {
      const [row] = (await trx.raw(`select as_of::text as "asOf", recount_all as "recountAll" from ?? where id = 1 for update`, [state])).rows as { asOf: string; recountAll: boolean }[];
      if (!row || (row.asOf === day && !row.recountAll)) return;
      const [lo, hi] = row.asOf < day ? [row.asOf, day] : [day, row.asOf];
      const [{ changed } = { changed: true }] = (
        await trx.raw(`select exists (select 1 from ?? where effective_from > ?::date and effective_from <= ?::date) as changed`, [db.t('credit_policy'), lo, hi])
      ).rows as { changed: boolean }[];
      if (row.recountAll || changed) {
        await trx.raw(`insert into ?? (school_path) select distinct org_path from ?? union select school_path from ?? on conflict do nothing`, [
          dirty,
          db.t('teacher_scope'),
          db.t('training_completion_rollup'),
        ]);
      }
      await trx.raw(`update ?? set as_of = ?::date, recount_all = false where id = 1`, [state, day]);
    });
  }
  // Judged on the state's day (the one the freshness check compares with), not this reader's.
  await drainDirtyMarks(db, {
    table: 'training_completion_dirty',
    column: 'school_path',
    chunk: COMPLETION_ROLLUP_CHUNK,
    recount: (trx, schools) => trx.raw(`select ??(?::text[], (select as_of from ?? where id = 1))`, [`${db.schema}.training_completion_recount`, schools, state]),
  });
}

/**
 * Completion of the cycle requirement over each unit's whole subtree, set-based: teachers are the
 * active teacher_scope rows under the unit's path (retired, departed, transferred-out and deleted
 * teachers are not the school's to train; their own records stay readable), credits are summed in SQL, each teacher is compared
 * with the policy of their own province (or the national default) in force on `asOf`. Units
 * outside the viewer's scope return no row. The rollup's reference (and the reader for cycles it
 * does not hold).
 */
export async function completionByOrgIdsLive(
  db: Db,
  viewer: Viewer,
  orgIds: readonly string[],
  cycle: { startsOn: string; endsOn: string; requiredHours: number },
  asOf: string,
): Promise<CompletionRow[]> {
  const { knex } = db;
  const units = whereOrgInScope(knex(db.t('org_scope')).select('org_id', 'org_path').whereIn('org_id', orgIds as string[]), 'org_path', viewer, {
    aggregate: true,
  }).toSQL();
  const result = await knex.raw(
    `with units as (${units.sql}),
     policy as (
       select distinct on (province_code) province_code, cycle_required_credits, cycle_required_hours
         from ${db.t('credit_policy')} where effective_from <= ? order by province_code, effective_from desc),
     per_teacher as (
       select u.org_id, s.teacher_id, split_part(s.org_path, '/', 3) as province,
              coalesce(sum(e.credits), 0) as credits, coalesce(sum(e.hours), 0) as hours
         from units u
         join ${db.t('teacher_scope')} s on s.org_path like u.org_path || '%' and s.status = 'active'
         left join ${db.t('credit_ledger_entry')} e on e.teacher_id = s.teacher_id and e.credit_kind = 'training'
              and e.activity_on between ? and ?
        group by u.org_id, s.teacher_id, s.org_path)
     select u.org_id as "orgId",
            count(t.teacher_id) as "teacherCount",
            count(t.teacher_id) filter (where t.credits >= coalesce(p.cycle_required_credits, cn.cycle_required_credits)
                 and t.hours >= greatest(?::numeric, coalesce(p.cycle_required_hours, cn.cycle_required_hours))) as "metCount",
            coalesce(sum(t.credits), 0) as credits
       from units u
       left join per_teacher t on t.org_id = u.org_id
       left join policy p on p.province_code = t.province
       left join policy cn on cn.province_code = 'CN'
      group by u.org_id`,
    [...units.bindings, asOf, cycle.startsOn, cycle.endsOn, cycle.requiredHours],
  );
  return result.rows as CompletionRow[];
}
