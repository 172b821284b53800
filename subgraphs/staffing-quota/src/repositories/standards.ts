import type { Db } from '../../../shared/src/db';

export interface StandardRow {
  id: string;
  provinceCode: string | null;
  stage: string;
  locale: string | null;
  variant: string;
  studentsPerStaff: number;
  studentsPerStaffLow: number | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  source: string;
}

export interface ExtraRuleRow {
  id: string;
  provinceCode: string;
  kind: string;
  boardersPerStaff: number | null;
  staffPerClass: number | null;
  belowStudents: number | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  source: string;
}

export const STANDARD_COLUMNS = [
  'id',
  'province_code as provinceCode',
  'stage',
  'locale',
  'variant',
  'students_per_staff as studentsPerStaff',
  'students_per_staff_low as studentsPerStaffLow',
  'effective_from as effectiveFrom',
  'effective_to as effectiveTo',
  'source',
];

export const EXTRA_RULE_COLUMNS = [
  'id',
  'province_code as provinceCode',
  'kind',
  'boarders_per_staff as boardersPerStaff',
  'staff_per_class as staffPerClass',
  'below_students as belowStudents',
  'effective_from as effectiveFrom',
  'effective_to as effectiveTo',
  'source',
];

/** Public policy data: no organisation scoping, only a date and an optional province filter. */
export async function standardsInForce(db: Db, on: string, provinceCode: string | null): Promise<StandardRow[]> {
  const query = db
    .knex(db.t('staffing_standard'))
    .select(STANDARD_COLUMNS)
    .where('effective_from', '<=', on)
    .andWhere((q) => q.whereNull('effective_to').orWhere('effective_to', '>=', on))
    .orderBy([{ column: 'province_code', order: 'asc', nulls: 'first' }, 'stage', 'locale', 'variant']);
  if (provinceCode) query.andWhere((q) => q.whereNull('province_code').orWhere('province_code', provinceCode));
  return query;
}

export async function extraRulesInForce(db: Db, on: string, provinceCode: string | null): Promise<ExtraRuleRow[]> {
  const query = db
    .knex(db.t('staffing_extra_rule'))
    .select(EXTRA_RULE_COLUMNS)
    .where('effective_from', '<=', on)
    .andWhere((q) => q.whereNull('effective_to').orWhere('effective_to', '>=', on))
    .orderBy(['province_code', 'kind']);
  if (provinceCode) query.andWhere('province_code', provinceCode);
  return query;
}

/**
 * The ratio in force for a stage at a school on a date, as a correlated SQL fragment: a provincial
 * row beats the national one and a locale-specific row beats a general one. Expects `o` (org_scope)
 * and `sp` (school_profile) in the outer query; `stageExpr` and `dateExpr` are SQL expressions.
 */
export function ratioLateral(db: Db, stageExpr: string, dateExpr: string): string {
  return `(select st.students_per_staff from ${db.t('staffing_standard')} st
      where st.stage = ${stageExpr}
        and (st.province_code is null or st.province_code = split_part(o.org_path, '/', 3))
        and (st.locale is null or st.locale = sp.locale)
        and st.variant in ('all', 'full_day')
        and st.effective_from <= ${dateExpr} and (st.effective_to is null or st.effective_to >= ${dateExpr})
      order by st.province_code is null, st.locale is null
      limit 1)`;
}

function extraLateral(db: Db, kind: string, dateExpr: string): string {
  return `(select x.boarders_per_staff, x.staff_per_class, x.below_students from ${db.t('staffing_extra_rule')} x
      where x.kind = '${kind}' and x.province_code = split_part(o.org_path, '/', 3)
        and x.effective_from <= ${dateExpr} and (x.effective_to is null or x.effective_to >= ${dateExpr})
      order by x.effective_from desc limit 1)`;
}

/**
 * Standard quota of every school under `pathPrefix` (a LIKE pattern) for the school year starting
 * in September of `year`, as one set-based SELECT usable as a CTE: per stage students ÷ ratio,
 * raised to the class-based minimum for small rural schools, plus the boarding extra, rounded up.
 * Columns: org_id, org_path, students, standard. `underUnits` limits it to those units' subtrees.
 */
export function schoolStandardSql(
  db: Db,
  year: number,
  pathPrefix: string,
  underUnits: readonly string[] | null = null,
): { sql: string; bindings: (string | number | string[])[] } {
  const onDate = `make_date(${Number(year)}, 9, 1)`;
  const sql = `
    select sp.org_id, o.org_path, tot.students,
      ceil(
        greatest(
          coalesce(base.staff, 0),
          case when sp.locale = 'rural' and tp.staff_per_class is not null and tot.students < tp.below_students
               then tot.classes * tp.staff_per_class else 0 end
        )
        + case when bd.boarders_per_staff is not null then tot.boarders / bd.boarders_per_staff else 0 end
      )::int as standard
    from ${db.t('school_profile')} sp
    join ${db.t('org_scope')} o on o.org_id = sp.org_id
    join (
      select org_id, sum(students)::numeric as students, sum(classes)::numeric as classes, sum(boarders)::numeric as boarders
      from ${db.t('enrolment')} where year = ? group by org_id
    ) tot on tot.org_id = sp.org_id
    left join lateral (
      select sum(es.students / ${ratioLateral(db, 'es.stage', onDate)}) as staff
      from (select stage, sum(students)::numeric as students from ${db.t('enrolment')} e2
            where e2.org_id = sp.org_id and e2.year = ? group by stage) es
    ) base on true
    left join lateral ${extraLateral(db, 'small_teaching_point', onDate)} tp on true
    left join lateral ${extraLateral(db, 'boarding', onDate)} bd on true
    where o.org_path like ?${underUnits ? `
      and exists (select 1 from ${db.t('org_scope')} u where u.org_id = any(?) and o.org_path like u.org_path || '%')` : ''}`;
  // Restricting to the requested units' subtrees keeps a county's question from costing the nation's schools.
  return { sql, bindings: [year, year, pathPrefix, ...(underUnits ? [[...underUnits]] : [])] };
}
