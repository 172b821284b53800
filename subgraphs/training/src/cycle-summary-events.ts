import type { Knex } from 'knex';
import type { Db } from '../../shared/src/db';
import { enqueueEvent, EVENT_TYPES, type CycleSummaryFact } from '../../shared/src/events';
import { policyInForce, provinceOfPath, summariseCycle, type CreditRules } from './domain/credit-rules';
import { today } from './domain/validation';

/** Teachers per event: a whole demo load stays a handful of events well under the intake's 1 MB. */
const PER_EVENT = 200;

/**
 * Decisions made from a teacher's training (registration, award nominations) live in evaluation,
 * and a mutation there cannot read a federated field (@requires works only on entity fields the
 * gateway resolves through `_entities`). So whenever the credit bank changes, training publishes the
 * verdict of every cycle of the teacher that has started, computed exactly as
 * `Teacher.trainingCycleSummary` computes it (same query shape, same rules, same `summariseCycle`),
 * inside the transaction of the change: the event exists if and only if the change does.
 *
 * One statement per cycle (two cycles in the demo data) for any number of teachers, plus the rules.
 */
export async function publishCycleSummaries(trx: Knex.Transaction, db: Db, rules: CreditRules, teacherIds: readonly string[] | 'all', on: string = today()): Promise<number> {
  if (teacherIds !== 'all' && teacherIds.length === 0) return 0;
  const cycles = (await trx(db.t('training_cycle'))
    .select('id', 'starts_on as startsOn', 'ends_on as endsOn', 'required_hours as requiredHours')
    .where('starts_on', '<=', on)
    .orderBy('starts_on')) as { id: string; startsOn: string; endsOn: string; requiredHours: string | number }[];
  const facts: CycleSummaryFact[] = [];
  for (const cycle of cycles) {
    const q = trx(db.t('teacher_scope as s'))
      .leftJoin(db.t('credit_ledger_entry as e'), (j) =>
        j.on('e.teacher_id', 's.teacher_id').andOnVal('e.credit_kind', 'training').andOnVal('e.activity_on', '>=', cycle.startsOn).andOnVal('e.activity_on', '<=', cycle.endsOn),
      )
      .groupBy('s.teacher_id', 's.org_path', trx.raw('extract(year from e.activity_on)'))
      .select(
        's.teacher_id as teacherId',
        's.org_path as orgPath',
        trx.raw('extract(year from e.activity_on)::int as year'),
        trx.raw('coalesce(sum(e.hours), 0)::float8 as hours'),
        trx.raw('coalesce(sum(e.credits), 0)::float8 as credits'),
      );
    if (teacherIds !== 'all') q.whereIn('s.teacher_id', teacherIds as string[]);
    const rows = (await q) as { teacherId: string; orgPath: string; year: number | null; hours: number; credits: number }[];
    const byTeacher = new Map<string, typeof rows>();
    for (const row of rows) byTeacher.set(row.teacherId, [...(byTeacher.get(row.teacherId) ?? []), row]);
    const requiredHours = Number(cycle.requiredHours);
    const asOf = cycle.endsOn < on ? cycle.endsOn : on;
    for (const [teacherId, teacherRows] of byTeacher) {
      const province = provinceOfPath(teacherRows[0]!.orgPath);
      const perYear = teacherRows.filter((r) => r.year !== null).map((r) => ({ year: r.year as number, hours: Number(r.hours), credits: Number(r.credits) }));
      const summary = summariseCycle({ ...cycle, requiredHours }, policyInForce(rules, province, asOf), province, perYear, on);
      facts.push({
        teacherId,
        cycleId: cycle.id,
        startsOn: cycle.startsOn,
        endsOn: cycle.endsOn,
        provinceCode: summary.provinceCode,
        hours: summary.hours,
        credits: summary.credits,
        requiredHours: summary.requiredHours,
        requiredCredits: summary.requiredCredits,
        isMet: summary.isMet,
      });
    }
  }
  for (let i = 0; i < facts.length; i += PER_EVENT) {
    await enqueueEvent(trx, db, { type: EVENT_TYPES.TRAINING_CYCLE_SUMMARIES_CHANGED, payload: { summaries: facts.slice(i, i + PER_EVENT) } });
  }
  return facts.length;
}
