import type { Db } from '../../../shared/src/db';
import { ratioLateral } from './standards';

export interface StageYearRow {
  year: number;
  stage: string;
  students: number;
  teachersRequired: number;
}

/**
 * The cohort progression per school, stage and forecast year, as two CTEs (`school_stage`,
 * `projected`) following a CTE `base` of enrolment rows (org_id, stage, grade, students); its two
 * parameters are the base year and the number of years. The live query below and the forecast
 * cache (forecast-rollup.ts) both use it, so they cannot count differently.
 */
export const COHORT_PROJECTION_CTES = `school_stage as (
       select distinct org_id, stage, case stage when 'primary' then 6 else 3 end as grades from base
     ),
     projected as (
       select ss.org_id, ss.stage, ? + k as year,
         sum(case when g > k then coalesce(b.students, 0) else coalesce(intake.students, 0) end)::numeric as students
       from school_stage ss
       cross join generate_series(1, ?) as k
       cross join lateral generate_series(1, ss.grades) as g
       left join base b on b.org_id = ss.org_id and b.stage = ss.stage and b.grade = g - k
       left join base intake on intake.org_id = ss.org_id and intake.stage = ss.stage and intake.grade = 1
       group by ss.org_id, ss.stage, k
     )`;

/**
 * Cohort progression, per school and stage, in SQL: in forecast year base+k, grade g holds the
 * base year's grade g−k (the cohort moved up k grades), and grades the base cohorts have not reached
 * yet hold the base year's entry grade (intake assumed flat). Teachers required are students ÷ the
 * ratio in force that September for the school's province and locale, summed per stage, rounded up.
 */
export async function projectStages(db: Db, unitPath: string, baseYear: number, years: number): Promise<StageYearRow[]> {
  const result = await db.knex.raw(
    `with base as (
       select e.org_id, e.stage, e.grade, e.students
       from ${db.t('enrolment')} e join ${db.t('org_scope')} o on o.org_id = e.org_id
       where e.year = ? and o.org_path like ?
     ),
     ${COHORT_PROJECTION_CTES}
     select p.year, p.stage, sum(p.students)::int as students,
       ceil(coalesce(sum(p.students / ${ratioLateral(db, 'p.stage', 'make_date(p.year, 9, 1)')}), 0))::int as "teachersRequired"
     from projected p
     join ${db.t('org_scope')} o on o.org_id = p.org_id
     join ${db.t('school_profile')} sp on sp.org_id = p.org_id
     group by p.year, p.stage
     order by p.year, p.stage`,
    [baseYear, `${unitPath}%`, baseYear, years],
  );
  return result.rows;
}

/**
 * Teachers employed in the subtree on 1 September of the base year, and in which forecast year each
 * reaches retirement age: the statutory age by gender, raised by the 2025 reform by one month per
 * `months_per_step` months born after `reform_from_birth` (at most `max_delay_months`). Anyone
 * already past the age retires in the first forecast year.
 */
export async function retirementsByYear(db: Db, unitPath: string, baseYear: number, years: number) {
  const on = `${baseYear}-09-01`;
  const result = await db.knex.raw(
    `with staff as (
       select distinct e.teacher_id from ${db.t('employment')} e join ${db.t('org_scope')} o on o.org_id = e.org_id
       where o.org_path like ? and e.starts_on <= ?::date and (e.ends_on is null or e.ends_on >= ?::date)
     ),
     retiring as (
       select s.teacher_id,
         greatest(?::int + 1, extract(year from
           tp.birth_date + make_interval(years => r.base_age, months =>
             case when r.reform_from_birth is not null and tp.birth_date >= r.reform_from_birth
                  then least(r.max_delay_months,
                             ((extract(year from age(tp.birth_date, r.reform_from_birth)) * 12
                               + extract(month from age(tp.birth_date, r.reform_from_birth)))::int / r.months_per_step) + 1)
                  else 0 end))::int) as year
       from staff s
       join ${db.t('teacher_profile')} tp on tp.teacher_id = s.teacher_id
       join ${db.t('retirement_rule')} r on r.gender = tp.gender
     )
     select (select count(*) from staff)::int as "inPost",
       coalesce((select json_agg(json_build_object('year', year, 'count', n)) from
         (select year, count(*)::int as n from retiring where year <= ? group by year) y), '[]'::json) as "byYear"`,
    [`${unitPath}%`, on, on, baseYear, baseYear + years],
  );
  const row = result.rows[0] as { inPost: number; byYear: { year: number; count: number }[] };
  return { inPost: row.inPost, byYear: new Map(row.byYear.map((r) => [r.year, r.count])) };
}
