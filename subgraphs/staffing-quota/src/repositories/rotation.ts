import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';

export interface RotationParametersRow {
  provinceCode: string | null;
  minYearsAtSchool: number;
  ageLimitMale: number | null;
  ageLimitFemale: number | null;
  minShareOfEligible: number;
  minShareKeyTeachers: number;
  effectiveFrom: string;
}

export interface CandidateRow {
  teacherId: string;
  schoolId: string;
  yearsAtSchool: number;
  fromUrbanOrHighQualitySchool: boolean;
  keyTeacher: boolean;
}

export interface AssignmentRow {
  id: string;
  planId: string;
  teacherId: string;
  homeOrgId: string;
  hostOrgId: string;
  kind: string;
  startsOn: string;
  endsOn: string;
  status: string;
  keyTeacher: boolean;
  fromUrbanOrHighQualitySchool: boolean;
  hostRuralOrWeak: boolean;
  version: number;
}

export interface PlanRow {
  id: string;
  countyId: string;
  year: number;
  status: string;
  version: number;
}

/** Exchange rotation applies to compulsory education [义务教育]: schools with primary or junior grades. */
const COMPULSORY_SCHOOL_STAGES = ['primary', 'junior_secondary', 'nine_year', 'complete_secondary'];

/** The rotation parameters in force for a province on 1 September of `year` (provincial row first). */
export async function rotationParameters(knex: Knex | Knex.Transaction, db: Db, provinceCode: string, year: number): Promise<RotationParametersRow | undefined> {
  const on = `${year}-09-01`;
  return knex(db.t('rotation_parameter'))
    .select(
      'province_code as provinceCode',
      'min_years_at_school as minYearsAtSchool',
      'age_limit_male as ageLimitMale',
      'age_limit_female as ageLimitFemale',
      'min_share_of_eligible as minShareOfEligible',
      'min_share_key_teachers as minShareKeyTeachers',
      'effective_from as effectiveFrom',
    )
    .where((q) => q.whereNull('province_code').orWhere('province_code', provinceCode))
    .andWhere('effective_from', '<=', on)
    .andWhere((q) => q.whereNull('effective_to').orWhere('effective_to', '>=', on))
    .orderByRaw('province_code is null, effective_from desc')
    .first();
}

/**
 * Teachers of the county eligible on 1 September of `year`, derived from the records in one
 * statement: employed at a compulsory-education school of the county for at least the provincial
 * number of years, below the age limit of their gender, and not exempted for the year.
 */
export async function eligibleCandidates(
  knex: Knex | Knex.Transaction,
  db: Db,
  countyPath: string,
  year: number,
  params: RotationParametersRow,
  onlyTeacherId?: string,
): Promise<CandidateRow[]> {
  const on = `${year}-09-01`;
  const result = await knex.raw(
    `select e.teacher_id as "teacherId", e.org_id as "schoolId",
        extract(year from age(?::date, e.starts_on))::int as "yearsAtSchool",
        (sp.locale = 'urban' or exists (select 1 from ${db.t('school_designation')} d where d.org_id = e.org_id and d.designation = 'high_quality')) as "fromUrbanOrHighQualitySchool",
        coalesce(tp.is_key_teacher, false) as "keyTeacher"
     from ${db.t('employment')} e
     join ${db.t('org_scope')} o on o.org_id = e.org_id
     join ${db.t('school_profile')} sp on sp.org_id = e.org_id
     left join ${db.t('teacher_profile')} tp on tp.teacher_id = e.teacher_id
     where o.org_path like ? and sp.stage = any(?)
       and e.starts_on <= ?::date and (e.ends_on is null or e.ends_on >= ?::date)
       and e.starts_on <= (?::date - make_interval(years => ?))
       and not coalesce(tp.gender = 1 and ?::int is not null and tp.birth_date <= (?::date - make_interval(years => ?::int)), false)
       and not coalesce(tp.gender = 2 and ?::int is not null and tp.birth_date <= (?::date - make_interval(years => ?::int)), false)
       and not exists (select 1 from ${db.t('rotation_exemption')} x where x.teacher_id = e.teacher_id and x.year = ?)
       ${onlyTeacherId ? 'and e.teacher_id = ?' : ''}
     order by e.org_id, e.teacher_id`,
    [
      on,
      `${countyPath}%`,
      COMPULSORY_SCHOOL_STAGES,
      on,
      on,
      on,
      params.minYearsAtSchool,
      params.ageLimitMale,
      on,
      params.ageLimitMale ?? 0,
      params.ageLimitFemale,
      on,
      params.ageLimitFemale ?? 0,
      year,
      ...(onlyTeacherId ? [onlyTeacherId] : []),
    ],
  );
  return result.rows;
}

const ASSIGNMENT_SELECT = (db: Db) => `
  select a.id, a.plan_id as "planId", a.teacher_id as "teacherId", a.home_org_id as "homeOrgId", a.host_org_id as "hostOrgId",
    a.kind, a.starts_on as "startsOn", a.ends_on as "endsOn", a.status, a.key_teacher as "keyTeacher",
    a.from_urban_or_high_quality as "fromUrbanOrHighQualitySchool", a.version,
    (coalesce(hp.locale = 'rural', false) or exists (select 1 from ${db.t('school_designation')} d where d.org_id = a.host_org_id and d.designation = 'weak')) as "hostRuralOrWeak"
  from ${db.t('rotation_assignment')} a
  left join ${db.t('school_profile')} hp on hp.org_id = a.host_org_id`;

export async function assignmentsByPlanIds(knex: Knex | Knex.Transaction, db: Db, planIds: readonly string[]): Promise<AssignmentRow[]> {
  return (await knex.raw(`${ASSIGNMENT_SELECT(db)} where a.plan_id = any(?) order by a.starts_on, a.id`, [[...planIds]])).rows;
}

export async function assignmentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<AssignmentRow[]> {
  return (await db.knex.raw(`${ASSIGNMENT_SELECT(db)} where a.teacher_id = any(?) order by a.starts_on desc, a.id`, [[...teacherIds]])).rows;
}

export async function assignmentById(knex: Knex | Knex.Transaction, db: Db, id: string): Promise<AssignmentRow | undefined> {
  return (await knex.raw(`${ASSIGNMENT_SELECT(db)} where a.id = ?`, [id])).rows[0];
}

/** Years served at rural or weak host schools in completed rotations, per teacher, one decimal. */
export async function ruralServiceYears(db: Db, teacherIds: readonly string[]): Promise<{ teacherId: string; years: number }[]> {
  const result = await db.knex.raw(
    `select a.teacher_id as "teacherId", round(sum((a.ends_on - a.starts_on)::numeric) / 365.25, 1)::float8 as years
     from ${db.t('rotation_assignment')} a
     left join ${db.t('school_profile')} hp on hp.org_id = a.host_org_id
     where a.teacher_id = any(?) and a.status = 'completed'
       and (coalesce(hp.locale = 'rural', false) or exists (select 1 from ${db.t('school_designation')} d where d.org_id = a.host_org_id and d.designation = 'weak'))
     group by a.teacher_id`,
    [[...teacherIds]],
  );
  return result.rows;
}

export const PLAN_COLUMNS = ['id', 'county_id as countyId', 'year', 'status', 'version'];
