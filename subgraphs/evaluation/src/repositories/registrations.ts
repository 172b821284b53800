import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { likePrefix, whereOrgInScope } from '../../../shared/src/org-scope';
import type { RegistrationStage } from '../domain/registration';

export interface RegistrationRow {
  id: string;
  teacherId: string;
  cycleStartsOn: string;
  deadline: string;
  stage: RegistrationStage;
  appliedOn: string | null;
  filedOn: string | null;
  registeredOn: string | null;
  version: number;
}

const COLUMNS = [
  'r.id',
  'r.teacher_id as teacherId',
  'r.cycle_starts_on as cycleStartsOn',
  'r.deadline',
  'r.stage',
  'r.applied_on as appliedOn',
  'r.filed_on as filedOn',
  'r.registered_on as registeredOn',
  'r.version',
];

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findRegistrationsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<RegistrationRow[]> {
  return db
    .knex(`${db.t('qualification_registration')} as r`)
    .select(COLUMNS)
    .whereIn('r.teacher_id', teacherIds as string[])
    .orderBy([{ column: 'r.cycle_starts_on', order: 'desc' }]);
}

/** A registration with its teacher's organisation path, for workflow checks inside a write. */
export async function findRegistrationForWrite(trx: Knex.Transaction, db: Db, id: string): Promise<(RegistrationRow & { orgPath: string }) | undefined> {
  return trx(`${db.t('qualification_registration')} as r`)
    .join(`${db.t('teacher_scope')} as s`, 's.teacher_id', 'r.teacher_id')
    .first([...COLUMNS, 's.org_path as orgPath'])
    .where('r.id', id)
    .forUpdate();
}

export async function findRegistrationById(knex: Knex | Knex.Transaction, db: Db, id: string): Promise<RegistrationRow | undefined> {
  return knex(`${db.t('qualification_registration')} as r`).first(COLUMNS).where('r.id', id);
}

function dueQuery(db: Db, viewer: Viewer, dueBy: string, stage: RegistrationStage | null) {
  const query = db
    .knex(`${db.t('qualification_registration')} as r`)
    .join(`${db.t('teacher_scope')} as s`, 's.teacher_id', 'r.teacher_id')
    // Only serving teachers are due: one who retired, left or transferred out is not registered any more.
    .where('s.status', 'active')
    .where('r.deadline', '<=', dueBy);
  if (stage) query.where('r.stage', stage);
  return whereOrgInScope(query, 's.org_path', viewer);
}

export async function findDueRegistrations(db: Db, viewer: Viewer, dueBy: string, stage: RegistrationStage | null, after: string | null, limit: number): Promise<RegistrationRow[]> {
  const query = dueQuery(db, viewer, dueBy, stage).select(COLUMNS).orderBy('r.id').limit(limit + 1);
  if (after) query.where('r.id', '>', after);
  return query;
}

export async function countDueRegistrations(db: Db, viewer: Viewer, dueBy: string, stage: RegistrationStage | null): Promise<number> {
  const row = (await dueQuery(db, viewer, dueBy, stage).count('* as n').first()) as { n: number } | undefined;
  return Number(row?.n ?? 0);
}

/** Registers every filed registration of the viewer's serving (active) teachers due by the date: one set-based statement. */
export async function registerDueInScope(trx: Knex.Transaction, db: Db, viewer: Viewer, dueBy: string, today: string): Promise<string[]> {
  const result = await trx.raw(
    `update ${db.t('qualification_registration')} as r
        set stage = 'registered', registered_on = ?, registered_by_subject = ?, version = r.version + 1, updated_at = now()
       from ${db.t('teacher_scope')} as s
      where s.teacher_id = r.teacher_id and s.status = 'active' and s.org_path like ? and r.stage = 'filed' and r.deadline <= ?
      returning r.id`,
    [today, viewer.subject, likePrefix(viewer.orgPath), dueBy],
  );
  return (result.rows as { id: string }[]).map((r) => r.id);
}

export async function findRegistrationsByIds(knex: Knex | Knex.Transaction, db: Db, ids: readonly string[]): Promise<RegistrationRow[]> {
  if (ids.length === 0) return [];
  return knex(`${db.t('qualification_registration')} as r`).select(COLUMNS).whereIn('r.id', ids as string[]).orderBy('r.id');
}
