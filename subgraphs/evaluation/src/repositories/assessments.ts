import type { Db } from '../../../shared/src/db';

export interface AnnualAssessmentRow {
  id: string;
  teacherId: string;
  year: number;
  grade: string;
  assessedByOrgId: string;
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findAssessmentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<AnnualAssessmentRow[]> {
  return db
    .knex(db.t('annual_assessment'))
    .select('id', 'teacher_id as teacherId', 'year', 'grade', 'assessed_by_org_id as assessedByOrgId')
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'year', order: 'desc' }]);
}
