import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { likePrefix, whereTeacherInScope } from '../../../shared/src/org-scope';

export interface TeacherRow {
  id: string;
  nationalTeacherNumber: string;
  name: string;
  gender: number;
  birthDate: string;
  schoolId: string;
  orgPath: string;
}

const COLUMNS = [
  'id',
  'national_teacher_number as nationalTeacherNumber',
  'name',
  'gender',
  'birth_date as birthDate',
  'school_id as schoolId',
  'org_path as orgPath',
];

const SCOPE_COLUMNS = { teacherId: 'id', orgPath: 'org_path' };

export async function findTeachersByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<TeacherRow[]> {
  const query = db.knex(db.t('teacher')).select(COLUMNS).whereIn('id', ids as string[]);
  return whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
}

export async function findTeacherByNumber(db: Db, viewer: Viewer, nationalTeacherNumber: string): Promise<TeacherRow | undefined> {
  const query = db.knex(db.t('teacher')).select(COLUMNS).where('national_teacher_number', nationalTeacherNumber).first();
  return whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
}

/** One page of the teachers under `subtreePath`, intersected with what the viewer may see. */
export async function listTeachersInSubtree(
  db: Db,
  viewer: Viewer,
  subtreePath: string,
  page: { limit: number; afterId: string | null },
): Promise<TeacherRow[]> {
  const query = db
    .knex(db.t('teacher'))
    .select(COLUMNS)
    .whereRaw('org_path like ?', [likePrefix(subtreePath)])
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.afterId) query.where('id', '>', page.afterId);
  return whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
}

export async function countTeachersInSubtree(db: Db, viewer: Viewer, subtreePath: string): Promise<number> {
  const query = db.knex(db.t('teacher')).count<{ count: number }[]>('* as count').whereRaw('org_path like ?', [likePrefix(subtreePath)]);
  const [row] = await whereTeacherInScope(query, SCOPE_COLUMNS, viewer);
  return Number(row?.count ?? 0);
}
