import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { TrainingForm } from '../domain/credit-rules';

export interface TrainingCycleRow {
  id: string;
  startsOn: string;
  endsOn: string;
  requiredHours: number;
}

export type RecordSource = 'imported' | 'course' | 'declaration';

export interface TrainingRecordRow {
  id: string;
  teacherId: string;
  title: string;
  form: TrainingForm;
  hours: number;
  completedOn: string;
  source: RecordSource;
  organiser: string | null;
  credits: number | null;
}

export interface TrainingRecordFilter {
  form?: TrainingForm | null;
  source?: RecordSource | null;
  completedFrom?: string | null;
  completedTo?: string | null;
}

const CYCLE_COLUMNS = ['id', 'starts_on as startsOn', 'ends_on as endsOn', 'required_hours as requiredHours'];

export async function findCycleOn(db: Db, date: string, runner: Knex | Knex.Transaction = db.knex): Promise<TrainingCycleRow | undefined> {
  return runner(db.t('training_cycle')).first(CYCLE_COLUMNS).where('starts_on', '<=', date).andWhere('ends_on', '>=', date);
}

export async function listCycles(db: Db): Promise<TrainingCycleRow[]> {
  return db.knex(db.t('training_cycle')).select(CYCLE_COLUMNS).orderBy('starts_on');
}

/**
 * Records with the credits their deposit banked, filtered in SQL. Callers pass ids already
 * authorised through the teacher_scope projection.
 */
export async function findRecordsByTeacherIds(db: Db, teacherIds: readonly string[], filter: TrainingRecordFilter = {}): Promise<TrainingRecordRow[]> {
  const query = db
    .knex(db.t('training_record as r'))
    .leftJoin(db.t('credit_ledger_entry as e'), (j) => j.on('e.training_record_id', 'r.id').andOnVal('e.entry_type', 'deposit'))
    .select(
      'r.id',
      'r.teacher_id as teacherId',
      'r.title',
      'r.form',
      'r.hours',
      'r.completed_on as completedOn',
      'r.source',
      'r.organiser',
      'e.credits',
    )
    .whereIn('r.teacher_id', teacherIds as string[])
    .orderBy([{ column: 'r.completed_on', order: 'desc' }, { column: 'r.id' }]);
  if (filter.form) query.where('r.form', filter.form);
  if (filter.source) query.where('r.source', filter.source);
  if (filter.completedFrom) query.where('r.completed_on', '>=', filter.completedFrom);
  if (filter.completedTo) query.where('r.completed_on', '<=', filter.completedTo);
  return query;
}

export async function findRecordsByIds(db: Db, ids: readonly string[]): Promise<TrainingRecordRow[]> {
  return db
    .knex(db.t('training_record as r'))
    .leftJoin(db.t('credit_ledger_entry as e'), (j) => j.on('e.training_record_id', 'r.id').andOnVal('e.entry_type', 'deposit'))
    .select('r.id', 'r.teacher_id as teacherId', 'r.title', 'r.form', 'r.hours', 'r.completed_on as completedOn', 'r.source', 'r.organiser', 'e.credits')
    .whereIn('r.id', ids as string[]);
}
