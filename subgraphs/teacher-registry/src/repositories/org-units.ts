import type { Db } from '../../../shared/src/db';

export interface OrgUnitRow {
  id: string;
  parentId: string | null;
  name: string;
  level: string;
  path: string;
  schoolStage: string | null;
  locale: string | null;
  isPublic: boolean | null;
}

const COLUMNS = ['id', 'parent_id as parentId', 'name', 'level', 'path', 'school_stage as schoolStage', 'locale', 'is_public as isPublic'];

export async function findOrgUnitsByIds(db: Db, ids: readonly string[]): Promise<OrgUnitRow[]> {
  return db.knex(db.t('org_unit')).select(COLUMNS).whereIn('id', ids as string[]);
}

export async function findOrgUnitsByParentIds(db: Db, parentIds: readonly string[]): Promise<OrgUnitRow[]> {
  return db.knex(db.t('org_unit')).select(COLUMNS).whereIn('parent_id', parentIds as string[]).orderBy('id');
}

/** The path holds every ancestor's code, so ancestors are one indexed lookup, not a recursive walk. */
export function ancestorIds(path: string): string[] {
  return path.split('/').filter(Boolean).slice(0, -1);
}
