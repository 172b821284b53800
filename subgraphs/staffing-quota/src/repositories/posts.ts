import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { hasAggregateScope, likePrefix } from '../../../shared/src/org-scope';

export interface PostPlanRow {
  orgId: string;
  year: number;
  category: string;
  grade: number;
  ceiling: number;
  version: number;
}

export interface AppointmentRow {
  id: string;
  teacherId: string;
  orgId: string;
  category: string;
  grade: number;
  startsOn: string;
  endsOn: string | null;
  version: number;
}

const APPOINTMENT_COLUMNS = [
  'id',
  'teacher_id as teacherId',
  'org_id as orgId',
  'category',
  'grade',
  'starts_on as startsOn',
  'ends_on as endsOn',
  'version',
];

/** Post plans of the requested (unit, year) pairs inside the viewer's subtree. */
export async function findPostPlans(db: Db, viewer: Viewer, keys: readonly { orgId: string; year: number }[]): Promise<PostPlanRow[]> {
  if (!hasAggregateScope(viewer) || keys.length === 0) return [];
  const placeholders = keys.map(() => '(?, ?::smallint)').join(', ');
  const result = await db.knex.raw(
    `select p.org_id as "orgId", p.year, p.category, p.grade, p.ceiling, p.version
     from ${db.t('post_plan')} p join ${db.t('org_scope')} o on o.org_id = p.org_id
     where (p.org_id, p.year) in (${placeholders}) and o.org_path like ?
     order by p.category, p.grade`,
    [...keys.flatMap((k) => [k.orgId, k.year]), likePrefix(viewer.orgPath)],
  );
  return result.rows;
}

/** Ceiling and appointments in force for one unit, category and grade on a date: one statement. */
export async function slotCounts(
  knex: Knex | Knex.Transaction,
  db: Db,
  slot: { orgId: string; category: string; grade: number; on: string },
): Promise<{ ceiling: number; occupied: number }> {
  const result = await knex.raw(
    `select
       coalesce((select ceiling from ${db.t('post_plan')} where org_id = ? and year = ? and category = ? and grade = ?), 0)::int as ceiling,
       (select count(*) from ${db.t('post_appointment')} where org_id = ? and category = ? and grade = ?
          and starts_on <= ?::date and (ends_on is null or ends_on >= ?::date))::int as occupied`,
    [slot.orgId, Number(slot.on.slice(0, 4)), slot.category, slot.grade, slot.orgId, slot.category, slot.grade, slot.on, slot.on],
  );
  return result.rows[0];
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findAppointmentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<AppointmentRow[]> {
  return db
    .knex(db.t('post_appointment'))
    .select(APPOINTMENT_COLUMNS)
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'starts_on', order: 'desc' }, { column: 'id' }]);
}

/** An appointment of the teacher whose period meets [startsOn, endsOn] (open ends run forever). */
export async function overlappingAppointment(trx: Knex.Transaction, db: Db, teacherId: string, startsOn: string, endsOn: string | null) {
  return trx(db.t('post_appointment'))
    .select(APPOINTMENT_COLUMNS)
    .where('teacher_id', teacherId)
    .andWhereRaw(`daterange(starts_on, ends_on, '[]') && daterange(?::date, ?::date, '[]')`, [startsOn, endsOn])
    .first();
}

export async function insertAppointment(trx: Knex.Transaction, db: Db, row: Omit<AppointmentRow, 'version'>): Promise<AppointmentRow> {
  const [inserted] = await trx(db.t('post_appointment'))
    .insert({ id: row.id, teacher_id: row.teacherId, org_id: row.orgId, category: row.category, grade: row.grade, starts_on: row.startsOn, ends_on: row.endsOn })
    .returning(APPOINTMENT_COLUMNS);
  return inserted;
}
