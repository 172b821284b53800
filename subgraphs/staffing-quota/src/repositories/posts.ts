import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { hasAggregateScope, hasOrgScope, likePrefix } from '../../../shared/src/org-scope';

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

export interface UnitSlotRow {
  orgId: string;
  /** null: the unit is in scope but has neither a plan for the year nor an appointment in force. */
  category: string | null;
  grade: number | null;
  ceiling: number;
  occupied: number;
}

/**
 * Every slot (category and grade) of a batch of units on a date, with the same figures as
 * `slotCounts`: the ceiling of the plan for the year of `on` (0 without a plan) and the appointments
 * in force on `on`. One statement for the whole batch. Units outside the viewer's subtree (and every
 * unit for viewers without org scope) return no row at all; units in scope at least one row.
 */
export async function slotCountsByUnits(db: Db, viewer: Viewer, orgIds: readonly string[], on: string): Promise<UnitSlotRow[]> {
  if (!hasOrgScope(viewer) || orgIds.length === 0) return [];
  const placeholders = orgIds.map(() => '?').join(', ');
  const result = await db.knex.raw(
    `with units as (
       select org_id from ${db.t('org_scope')} where org_id in (${placeholders}) and org_path like ?
     ), plan as (
       select p.org_id, p.category, p.grade, p.ceiling from ${db.t('post_plan')} p join units u on u.org_id = p.org_id where p.year = ?
     ), held as (
       select a.org_id, a.category, a.grade, count(*)::int as occupied from ${db.t('post_appointment')} a join units u on u.org_id = a.org_id
       where a.starts_on <= ?::date and (a.ends_on is null or a.ends_on >= ?::date)
       group by a.org_id, a.category, a.grade
     ), slots as (
       select org_id, category, grade from plan union select org_id, category, grade from held
     )
     select u.org_id as "orgId", s.category, s.grade, coalesce(p.ceiling, 0)::int as ceiling, coalesce(h.occupied, 0)::int as occupied
     from units u
     left join slots s on s.org_id = u.org_id
     left join plan p on p.org_id = s.org_id and p.category = s.category and p.grade = s.grade
     left join held h on h.org_id = s.org_id and h.category = s.category and h.grade = s.grade
     order by u.org_id, s.category, s.grade`,
    [...orgIds, likePrefix(viewer.orgPath), Number(on.slice(0, 4)), on, on],
  );
  return result.rows;
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
