import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { TrainingSummaryFact } from '../domain/training';

export interface TrainingSummaryRow extends TrainingSummaryFact {
  teacherId: string;
}

const COLUMNS = [
  'teacher_id as teacherId',
  'cycle_id as cycleId',
  'starts_on as startsOn',
  'ends_on as endsOn',
  'province_code as provinceCode',
  'hours',
  'credits',
  'required_hours as requiredHours',
  'required_credits as requiredCredits',
  'is_met as isMet',
];

const numbers = (r: Record<string, unknown>): TrainingSummaryRow =>
  ({ ...r, hours: Number(r.hours), credits: Number(r.credits), requiredHours: Number(r.requiredHours), requiredCredits: Number(r.requiredCredits) }) as TrainingSummaryRow;

/** Callers pass ids already authorised through teacher_scope (or a write's own scope check). */
export async function findTrainingSummariesByTeacherIds(knex: Knex | Knex.Transaction, db: Db, teacherIds: readonly string[]): Promise<TrainingSummaryRow[]> {
  const rows = await knex(db.t('training_cycle_summary')).select(COLUMNS).whereIn('teacher_id', teacherIds as string[]).orderBy([{ column: 'starts_on', order: 'desc' }]);
  return rows.map(numbers);
}

/**
 * Applies a batch of training's verdicts in one statement. Events can arrive out of order after
 * retries: a row only changes when the event is not older than the one it holds.
 */
export async function upsertTrainingSummaries(trx: Knex.Transaction, db: Db, facts: readonly (TrainingSummaryFact & { teacherId: string })[], asOf: string): Promise<void> {
  if (facts.length === 0) return;
  const table = db.t('training_cycle_summary');
  const values = facts.map(() => '(?::uuid, ?, ?::date, ?::date, ?, ?::numeric, ?::numeric, ?::numeric, ?::numeric, ?::boolean, ?::timestamptz)').join(', ');
  await trx.raw(
    `insert into ${table} as s (teacher_id, cycle_id, starts_on, ends_on, province_code, hours, credits, required_hours, required_credits, is_met, as_of)
     values ${values}
     on conflict (teacher_id, starts_on, ends_on) do update set cycle_id = excluded.cycle_id, province_code = excluded.province_code,
       hours = excluded.hours, credits = excluded.credits, required_hours = excluded.required_hours,
       required_credits = excluded.required_credits, is_met = excluded.is_met, as_of = excluded.as_of
     where s.as_of <= excluded.as_of`,
    facts.flatMap((f) => [f.teacherId, f.cycleId, f.startsOn, f.endsOn, f.provinceCode, f.hours, f.credits, f.requiredHours, f.requiredCredits, f.isMet, asOf]),
  );
}
