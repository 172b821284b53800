import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { inSubtreeSql, likePrefix, whereOrgInScope, whereTeacherInScope } from '../../../shared/src/org-scope';
import { headcountsFromRollup } from './headcount-rollup';

export interface TeacherRow {
  id: string;
  nationalTeacherNumber: string;
  name: string;
  gender: number;
  birthDate: string;
  schoolId: string;
  orgPath: string;
  formerNames: string | null;
  idDocumentType: string;
  idDocumentNumber: string | null;
  birthplaceCode: string | null;
  ethnicity: string | null;
  politicalAffiliation: string | null;
  educationLevel: string | null;
  staffCategory: string | null;
  onQuota: boolean | null;
  employmentForm: string | null;
  startedWorkOn: string | null;
  joinedSchoolOn: string | null;
  subject: string | null;
  title: string | null;
  status: string;
  recordStatus: string;
  version: number;
  provenance: Record<string, ProvenanceEntry>;
}

export interface ProvenanceEntry {
  enteredBy: string;
  role: string;
  source: string;
  verified: boolean;
  authority: string;
  at?: string;
}

/** GraphQL field name → column, for the basic-information fields a change may touch. */
export const BASIC_FIELD_COLUMNS = {
  name: 'name',
  formerNames: 'former_names',
  gender: 'gender',
  birthDate: 'birth_date',
  idDocumentType: 'id_document_type',
  idDocumentNumber: 'id_document_number',
  birthplaceCode: 'birthplace_code',
  ethnicity: 'ethnicity',
  politicalAffiliation: 'political_affiliation',
  educationLevel: 'education_level',
  staffCategory: 'staff_category',
  onQuota: 'on_quota',
  employmentForm: 'employment_form',
  startedWorkOn: 'started_work_on',
  joinedSchoolOn: 'joined_school_on',
  subject: 'subject',
  title: 'title',
  schoolId: 'school_id',
  status: 'status',
} as const;
export type BasicField = keyof typeof BASIC_FIELD_COLUMNS;

export const TEACHER_COLUMNS = [
  'id',
  'national_teacher_number as nationalTeacherNumber',
  'name',
  'gender',
  'birth_date as birthDate',
  'school_id as schoolId',
  'org_path as orgPath',
  'former_names as formerNames',
  'id_document_type as idDocumentType',
  'id_document_number as idDocumentNumber',
  'birthplace_code as birthplaceCode',
  'ethnicity',
  'political_affiliation as politicalAffiliation',
  'education_level as educationLevel',
  'staff_category as staffCategory',
  'on_quota as onQuota',
  'employment_form as employmentForm',
  'started_work_on as startedWorkOn',
  'joined_school_on as joinedSchoolOn',
  'subject',
  'title',
  'status',
  'record_status as recordStatus',
  'version',
  'provenance',
];

const SCOPE_COLUMNS = { teacherId: 'id', orgPath: 'org_path' };

export async function findTeachersByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<TeacherRow[]> {
  const query = db.knex(db.t('teacher')).select(TEACHER_COLUMNS).whereIn('id', ids as string[]);
  return whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
}

export async function findTeachersByNumbers(db: Db, viewer: Viewer, numbers: readonly string[]): Promise<TeacherRow[]> {
  const query = db.knex(db.t('teacher')).select(TEACHER_COLUMNS).whereIn('national_teacher_number', numbers as string[]);
  return whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
}

/** The unscoped row, locked for update: writes check scope themselves with canSeeTeacher. */
export async function lockTeacher(trx: Knex.Transaction, db: Db, id: string): Promise<TeacherRow | undefined> {
  return trx(db.t('teacher')).select(TEACHER_COLUMNS).where('id', id).forUpdate().first();
}

/** Database values of the filters (enums already mapped). */
export interface TeacherFilterValues {
  nameContains?: string | null;
  gender?: number | null;
  staffCategory?: string | null;
  title?: string | null;
  subject?: string | null;
  stage?: string | null;
  onQuota?: boolean | null;
  status?: string | null;
}

function applyFilters(db: Db, query: Knex.QueryBuilder, filter: TeacherFilterValues): Knex.QueryBuilder {
  if (filter.nameContains) query.whereRaw('name like ?', [`%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  if (filter.gender != null) query.where('gender', filter.gender);
  if (filter.staffCategory != null) query.where('staff_category', filter.staffCategory);
  if (filter.title != null) query.where('title', filter.title);
  if (filter.subject != null) query.where('subject', filter.subject);
  if (filter.onQuota != null) query.where('on_quota', filter.onQuota);
  if (filter.status != null) query.where('status', filter.status);
  if (filter.stage != null) {
    // The stage belongs to the school: a semi-join keeps it one statement.
    query.whereIn('school_id', db.knex(db.t('org_unit')).select('id').where('school_stage', filter.stage));
  }
  return query;
}

/** One page of the teachers under `subtreePath`, filtered and intersected with what the viewer may see. */
export async function listTeachersInSubtree(
  db: Db,
  viewer: Viewer,
  subtreePath: string,
  page: { limit: number; afterId: string | null },
  filter: TeacherFilterValues = {},
): Promise<TeacherRow[]> {
  const query = db
    .knex(db.t('teacher'))
    .select(TEACHER_COLUMNS)
    .whereRaw('org_path like ?', [likePrefix(subtreePath)])
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.afterId) query.where('id', '>', page.afterId);
  applyFilters(db, query, filter);
  return whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
}

export async function countTeachersInSubtree(db: Db, viewer: Viewer, subtreePath: string, filter: TeacherFilterValues = {}): Promise<number> {
  const query = db.knex(db.t('teacher')).count<{ count: number }[]>('* as count').whereRaw('org_path like ?', [likePrefix(subtreePath)]);
  applyFilters(db, query, filter);
  const [row] = await whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
  return Number(row?.count ?? 0);
}

export interface HeadcountRow {
  unitId: string;
  dimension: 'status' | 'gender' | 'staffCategory' | 'title' | 'educationLevel' | 'onQuota' | 'stage' | 'locale' | 'subject' | 'ageBand' | 'titleAgeBand';
  code: string | null;
  count: number;
}

/** Age bands for decision support (DOMAIN.md §1: analyse by age), counted at the date of the query. */
const AGE_BAND = `case when age(t.birth_date) < interval '30 years' then 'under_30'
  when age(t.birth_date) < interval '40 years' then '30_39'
  when age(t.birth_date) < interval '50 years' then '40_49'
  else '50_and_over' end`;

const BREAKDOWNS: [HeadcountRow['dimension'], string][] = [
  ['gender', 'gender::text'],
  ['staffCategory', 'staff_category'],
  ['title', 'title'],
  ['educationLevel', 'education_level'],
  ['onQuota', 'on_quota::text'],
  ['stage', 'stage'],
  ['locale', 'locale'],
  ['subject', 'subject'],
  ['ageBand', 'age_band'],
  // Cross-tab title × age band for the dashboard: code `<title or empty>|<age band>`.
  ['titleAgeBand', "coalesce(title, '') || '|' || age_band"],
];

/**
 * Headcounts of several subtrees in one set-based statement: each unit joins the teachers whose path
 * starts with the unit's path (codes are alphanumeric, so the path needs no LIKE escaping) and their
 * school (stage, locale), limited to the viewer's scope; then one GROUP BY per dimension, glued with
 * UNION ALL. Status counts every teacher; the other breakdowns count active teachers only.
 */
export async function headcountsByUnitLive(
  db: Db,
  viewer: Viewer,
  unitIds: readonly string[],
  dimensions: ReadonlySet<HeadcountRow['dimension']> | null = null,
): Promise<HeadcountRow[]> {
  if (unitIds.length === 0 || (dimensions && dimensions.size === 0)) return [];
  const knex = db.knex;
  const scoped = knex(`${db.t('org_unit')} as u`)
    .join(`${db.t('teacher')} as t`, knex.raw(inSubtreeSql('t.org_path', 'u.path')))
    .join(`${db.t('org_unit')} as s`, 's.id', 't.school_id')
    .whereIn('u.id', unitIds as string[])
    .select('u.id as unit_id', 't.status', 't.gender', 't.staff_category', 't.title', 't.education_level', 't.on_quota', 't.subject', 's.school_stage as stage', 's.locale')
    .select(knex.raw(`${AGE_BAND} as age_band`));
  // Aggregate scope: analysts count teachers of their subtree without ever reading one.
  whereOrgInScope(scoped, 't.org_path', viewer, { aggregate: true });
  const parts = [
    `select unit_id as "unitId", 'status' as dimension, status as code, count(*)::int as count from scoped group by unit_id, status`,
    ...BREAKDOWNS.map(
      ([dimension, expression]) =>
        `select unit_id, '${dimension}', ${expression}, count(*)::int from scoped where status = 'active' group by unit_id, ${expression}`,
    ),
  ].filter((_, i) => !dimensions || dimensions.has(i === 0 ? 'status' : (BREAKDOWNS[i - 1] as [HeadcountRow['dimension'], string])[0]));
  const base = scoped.toSQL();
  const result = await knex.raw(`with scoped as (${base.sql}) ${parts.join(' union all ')}`, base.bindings as Knex.RawBinding[]);
  return result.rows as HeadcountRow[];
}

/**
 * The headcounts the statistics serve: units above school level read the rollup kept by the
 * database (repositories/headcount-rollup.ts: tens of milliseconds at a million teachers instead of
 * a scan of every teacher); schools, school-level viewers and any dimension the rollup does not
 * hold go to the live query above. Both give the same numbers (tests/teacher-registry/headcount-rollup.test.ts).
 */
export async function headcountsByUnit(db: Db, viewer: Viewer, unitIds: readonly string[]): Promise<HeadcountRow[]> {
  const all = new Set<HeadcountRow['dimension']>(['status', ...BREAKDOWNS.map(([d]) => d)]);
  const { rows, servedUnits, servedDimensions } = await headcountsFromRollup(db, viewer, unitIds, all);
  const liveUnits = unitIds.filter((id) => !servedUnits.has(id));
  const missing = new Set([...all].filter((d) => !servedDimensions.has(d)));
  const live = [
    ...(await headcountsByUnitLive(db, viewer, liveUnits)),
    ...(servedUnits.size > 0 && missing.size > 0 ? await headcountsByUnitLive(db, viewer, [...servedUnits], missing) : []),
  ];
  return [...rows, ...live];
}
