import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { TitleRequirement } from '../domain/title-review';

export interface TitleApplicationRow {
  id: string;
  teacherId: string;
  targetTitle: string;
  schoolId: string;
  stage: string;
  appliedOn: string;
  publicityStartsOn: string | null;
  publicityEndsOn: string | null;
  preReviewedOn: string | null;
  decidedOn: string | null;
  decisionNote: string | null;
  appointedOn: string | null;
  documentRef: string | null;
  appointmentRequestedOn: string | null;
  slotRefusedReason: string | null;
  postGrade: number | null;
  version: number;
}

const COLUMNS = [
  'a.id',
  'a.teacher_id as teacherId',
  'a.target_title as targetTitle',
  'a.school_id as schoolId',
  'a.stage',
  'a.applied_on as appliedOn',
  'a.publicity_starts_on as publicityStartsOn',
  'a.publicity_ends_on as publicityEndsOn',
  'a.pre_reviewed_on as preReviewedOn',
  'a.decided_on as decidedOn',
  'a.decision_note as decisionNote',
  'a.appointed_on as appointedOn',
  'a.document_ref as documentRef',
  'a.appointment_requested_on as appointmentRequestedOn',
  'a.slot_refused_reason as slotRefusedReason',
  'a.post_grade as postGrade',
  'a.version',
];

export async function findTitleApplicationsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<TitleApplicationRow[]> {
  return db
    .knex(`${db.t('title_application')} as a`)
    .select(COLUMNS)
    .whereIn('a.teacher_id', teacherIds as string[])
    .orderBy([{ column: 'a.applied_on', order: 'desc' }, { column: 'a.id' }]);
}

export async function findTitleApplicationById(knex: Knex | Knex.Transaction, db: Db, id: string): Promise<TitleApplicationRow | undefined> {
  return knex(`${db.t('title_application')} as a`).first(COLUMNS).where('a.id', id);
}

export async function findTitleApplicationForWrite(trx: Knex.Transaction, db: Db, id: string): Promise<(TitleApplicationRow & { orgPath: string }) | undefined> {
  return trx(`${db.t('title_application')} as a`)
    .join(`${db.t('teacher_scope')} as s`, 's.teacher_id', 'a.teacher_id')
    .first([...COLUMNS, 's.org_path as orgPath'])
    .where('a.id', id)
    .forUpdate();
}

/** Requirements in force on a date for the given province: a provincial row wins over the national one. */
export async function findTitleRequirements(db: Db, provinceCodes: readonly string[], on: string): Promise<(TitleRequirement & { provinceCode: string | null })[]> {
  const rows = await db
    .knex(db.t('title_requirement'))
    .select(
      'province_code as provinceCode',
      'target_title as targetTitle',
      'prerequisite_title as prerequisiteTitle',
      'min_years as minYears',
      'min_years_with_doctorate as minYearsWithDoctorate',
      'max_education_code as maxEducationCode',
      'urban_rural_service_years as urbanRuralServiceYears',
      'source',
    )
    .where((q) => q.whereNull('province_code').orWhereIn('province_code', provinceCodes as string[]))
    .where('effective_from', '<=', on)
    .where((q) => q.whereNull('effective_to').orWhere('effective_to', '>=', on))
    .orderBy([{ column: 'effective_from', order: 'desc' }]);
  return rows.map((r: Record<string, unknown>) => ({
    ...(r as unknown as TitleRequirement & { provinceCode: string | null }),
    minYears: Number(r.minYears),
    minYearsWithDoctorate: r.minYearsWithDoctorate === null ? null : Number(r.minYearsWithDoctorate),
    urbanRuralServiceYears: Number(r.urbanRuralServiceYears),
  }));
}

export async function publicityDays(trx: Knex.Transaction, db: Db, provinceCode: string, on: string): Promise<number> {
  const row = await trx(db.t('title_review_setting'))
    .first('publicity_days as days')
    .where((q) => q.whereNull('province_code').orWhere('province_code', provinceCode))
    .where('effective_from', '<=', on)
    .orderByRaw('province_code is null, effective_from desc');
  return Number(row?.days ?? 5);
}
