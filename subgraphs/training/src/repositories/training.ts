import type { Db } from '../../../shared/src/db';

export interface TrainingCycleRow {
  id: string;
  startsOn: string;
  endsOn: string;
  requiredHours: number;
}

export interface TrainingRecordRow {
  id: string;
  teacherId: string;
  title: string;
  form: string;
  hours: number;
  completedOn: string;
}

export async function findCycleOn(db: Db, date: string): Promise<TrainingCycleRow | undefined> {
  return db
    .knex(db.t('training_cycle'))
    .first('id', 'starts_on as startsOn', 'ends_on as endsOn', 'required_hours as requiredHours')
    .where('starts_on', '<=', date)
    .andWhere('ends_on', '>=', date);
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findRecordsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<TrainingRecordRow[]> {
  return db
    .knex(db.t('training_record'))
    .select('id', 'teacher_id as teacherId', 'title', 'form', 'hours', 'completed_on as completedOn')
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'completed_on', order: 'desc' }, { column: 'id' }]);
}

/** Hours per teacher completed inside [startsOn, endsOn], summed in SQL. */
export async function sumHoursByTeacherIds(
  db: Db,
  teacherIds: readonly string[],
  cycle: { startsOn: string; endsOn: string },
): Promise<{ teacherId: string; hours: number }[]> {
  return db
    .knex(db.t('training_record'))
    .select('teacher_id as teacherId')
    .sum<{ teacherId: string; hours: number }[]>('hours as hours')
    .whereIn('teacher_id', teacherIds as string[])
    .andWhere('completed_on', '>=', cycle.startsOn)
    .andWhere('completed_on', '<=', cycle.endsOn)
    .groupBy('teacher_id');
}
