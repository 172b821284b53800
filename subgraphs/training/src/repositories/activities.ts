import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { whereTeacherInScope } from '../../../shared/src/org-scope';
import { provinceOfPath, type CreditRules, type TrainingForm } from '../domain/credit-rules';
import { bankTrainingRecord, type LedgerEntryRow } from './credit-bank';
import type { RecordSource } from './training';

type Runner = Knex | Knex.Transaction;

/** The teacher if the viewer may act on them (own record, or in the viewer's subtree), read in SQL. */
export async function findTeacherInScope(runner: Runner, db: Db, viewer: Viewer, teacherId: string): Promise<{ id: string; orgPath: string } | null> {
  const id = normaliseUuid(teacherId);
  if (!id) return null;
  const query = runner(db.t('teacher_scope')).first('teacher_id as id', 'org_path as orgPath').where('teacher_id', id);
  const row = (await whereTeacherInScope(query, { teacherId: 'teacher_id', orgPath: 'org_path' }, viewer)) as { id: string; orgPath: string } | undefined;
  return row ?? null;
}

export interface CompletedActivity {
  teacherId: string;
  title: string;
  form: TrainingForm;
  hours: number;
  completedOn: string;
  source: Exclude<RecordSource, 'imported'>;
  sourceId: string;
  organiser: string | null;
}

/**
 * Writes the training record of a completed activity and banks it, in the caller's transaction.
 * Both steps are keyed by the activity's source, so a replay returns what exists and adds nothing.
 */
export async function recordAndBank(
  trx: Knex.Transaction,
  db: Db,
  rules: CreditRules,
  activity: CompletedActivity,
  teacherOrgPath: string,
  recordedBy: string,
): Promise<{ recordId: string; entry: LedgerEntryRow | null }> {
  const inserted = await trx.raw(
    `insert into ${db.t('training_record')} (id, teacher_id, title, form, hours, completed_on, source, source_id, organiser)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (source, source_id) where source_id is not null do nothing
     returning id`,
    [randomUUID(), activity.teacherId, activity.title, activity.form, activity.hours, activity.completedOn, activity.source, activity.sourceId, activity.organiser],
  );
  let recordId = (inserted.rows as { id: string }[])[0]?.id;
  if (!recordId) {
    const existing = await trx(db.t('training_record')).first('id').where({ source: activity.source, source_id: activity.sourceId });
    recordId = (existing as { id: string }).id;
  }
  const entry = await bankTrainingRecord(
    trx,
    db,
    rules,
    { id: recordId, teacherId: activity.teacherId, title: activity.title, form: activity.form, hours: activity.hours, completedOn: activity.completedOn },
    provinceOfPath(teacherOrgPath),
    recordedBy,
  );
  return { recordId, entry };
}
