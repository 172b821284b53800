import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';

export interface AnnualAssessmentRow {
  id: string;
  teacherId: string;
  year: number;
  grade: string;
  assessedByOrgId: string;
  comment: string | null;
  version: number;
}

const COLUMNS = ['id', 'teacher_id as teacherId', 'year', 'grade', 'assessed_by_org_id as assessedByOrgId', 'comment', 'version'];

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findAssessmentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<AnnualAssessmentRow[]> {
  return db
    .knex(db.t('annual_assessment'))
    .select(COLUMNS)
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'year', order: 'desc' }]);
}

export async function findAssessmentById(trx: Knex | Knex.Transaction, db: Db, id: string): Promise<AnnualAssessmentRow | undefined> {
  return trx(db.t('annual_assessment')).first(COLUMNS).where('id', id);
}

/**
 * A rotation counts for an assessment year when the teacher spends more than half of that year
 * (at least 183 days) at the host school: that year the receiving school assesses them.
 */
const rotationCoversYear = (alias: string) =>
  `(least(${alias}.ends_on, make_date(:year, 12, 31)) - greatest(${alias}.starts_on, make_date(:year, 1, 1)) + 1) >= 183`;

export interface AssessingUnit {
  teacherId: string;
  orgPath: string;
  /** The school that assesses the teacher for the year: the host of a covering rotation, else the own school. */
  unitId: string;
  onRotation: boolean;
}

export async function findAssessingUnit(trx: Knex.Transaction, db: Db, teacherId: string, year: number): Promise<AssessingUnit | null> {
  const result = await trx.raw(
    `select s.teacher_id as "teacherId", s.org_path as "orgPath",
            (select r.host_org_id from ${db.t('rotation_projection')} r
              where r.teacher_id = s.teacher_id and ${rotationCoversYear('r')}
              order by r.starts_on desc limit 1) as "hostOrgId"
       from ${db.t('teacher_scope')} s where s.teacher_id = :teacherId`,
    { teacherId, year },
  );
  const row = result.rows[0] as { teacherId: string; orgPath: string; hostOrgId: string | null } | undefined;
  if (!row) return null;
  const ownSchool = row.orgPath.split('/').filter(Boolean).at(-1) as string;
  return { teacherId: row.teacherId, orgPath: row.orgPath, unitId: row.hostOrgId ?? ownSchool, onRotation: row.hostOrgId !== null };
}

/**
 * How many teachers a school assesses for a year: its own teachers (teacher_scope, today's
 * affiliation) less those rotated away for most of the year, plus those rotated in. This is the
 * base of the cap on "excellent".
 */
export async function countTeachersAssessedBy(trx: Knex.Transaction, db: Db, unit: { id: string; path: string }, year: number): Promise<number> {
  const result = await trx.raw(
    `select count(*) as n from ${db.t('teacher_scope')} s
      where (s.org_path = :path and not exists (
               select 1 from ${db.t('rotation_projection')} r
                where r.teacher_id = s.teacher_id and r.host_org_id <> :unitId and ${rotationCoversYear('r')}))
         or exists (select 1 from ${db.t('rotation_projection')} r
                     where r.teacher_id = s.teacher_id and r.host_org_id = :unitId and ${rotationCoversYear('r')})`,
    { path: unit.path, unitId: unit.id, year },
  );
  return (result.rows[0] as { n: number }).n;
}

export async function countExcellent(trx: Knex.Transaction, db: Db, unitId: string, year: number, excludingId: string | null): Promise<number> {
  const query = trx(db.t('annual_assessment')).count('* as n').where({ assessed_by_org_id: unitId, year, grade: 'excellent' });
  if (excludingId) query.whereNot('id', excludingId);
  const row = (await query.first()) as { n: number } | undefined;
  return Number(row?.n ?? 0);
}

export interface ExcellentCapRule {
  maxShare: number;
  highPerforming: boolean;
  source: string;
}

/**
 * The cap in force on a date for a unit: a rule for the unit's category (high-performing or
 * default) wins over the other category, a provincial rule over the national one, a later rule
 * over an earlier one.
 */
export async function findExcellentCapRule(trx: Knex | Knex.Transaction, db: Db, unitId: string, provinceCode: string, on: string): Promise<ExcellentCapRule | null> {
  const result = await trx.raw(
    `with unit as (
       select exists (select 1 from ${db.t('high_performing_unit')} h
                       where h.org_id = :unitId and h.effective_from <= :on and (h.effective_to is null or h.effective_to >= :on)) as high)
     select r.max_share as "maxShare", unit.high as "highPerforming", r.source
       from ${db.t('excellent_cap_rule')} r, unit
      where (r.province_code = :provinceCode or r.province_code is null)
        and r.effective_from <= :on and (r.effective_to is null or r.effective_to >= :on)
        and (r.unit_category = 'default' or (unit.high and r.unit_category = 'high_performing'))
      order by (r.unit_category = 'high_performing') desc, (r.province_code is not null) desc, r.effective_from desc
      limit 1`,
    { unitId, provinceCode, on },
  );
  const row = result.rows[0] as { maxShare: string | number; highPerforming: boolean; source: string } | undefined;
  return row ? { maxShare: Number(row.maxShare), highPerforming: row.highPerforming, source: row.source } : null;
}
