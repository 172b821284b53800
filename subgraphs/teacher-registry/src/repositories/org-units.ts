import type { Db } from '../../../shared/src/db';
import { levelOfOrgCode } from '../../../shared/src/identity';
import { buildOrgPath, likePrefix } from '../../../shared/src/org-scope';
import { appendAudit } from '../../../shared/src/audit';

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

/** Units strictly below `path`, optionally filtered by name and level, one keyset page ordered by path. */
export async function listDescendants(
  db: Db,
  path: string,
  options: { nameContains?: string | null; level?: string | null; limit: number; afterPath: string | null },
): Promise<OrgUnitRow[]> {
  const query = db
    .knex(db.t('org_unit'))
    .select(COLUMNS)
    .whereRaw('path like ?', [likePrefix(path)])
    .whereNot('path', path)
    .orderBy('path')
    .limit(options.limit + 1);
  if (options.nameContains) query.whereRaw('name like ?', [`%${options.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  if (options.level) query.where('level', options.level);
  if (options.afterPath) query.where('path', '>', options.afterPath);
  return query;
}

/**
 * Loads a complete GB/T 2260 division list (code, name) into the tree: provinces, cities and
 * counties, with a county directly under its province when the city level is missing (e.g. 429004).
 * Existing codes keep their rows (names are updated); returns how many were inserted.
 */
export async function loadDivisions(db: Db, divisions: readonly { code: string; name: string }[]): Promise<number> {
  const sorted = [...divisions].filter((d) => /^\d{6}$/.test(d.code)).sort((a, b) => a.code.localeCompare(b.code));
  const known = new Map<string, string>(
    (await db.knex(db.t('org_unit')).select('id', 'path').whereNot('level', 'school')).map((r: { id: string; path: string }) => [r.id, r.path]),
  );
  const rows: Record<string, unknown>[] = [];
  for (const division of sorted) {
    const level = levelOfOrgCode(division.code);
    if (!level || level === 'school' || level === 'national') continue;
    const province = `${division.code.slice(0, 2)}0000`;
    const city = `${division.code.slice(0, 4)}00`;
    const parentId = level === 'province' ? 'CN' : level === 'city' ? province : known.has(city) ? city : province;
    const parentPath = known.get(parentId);
    if (!parentPath) continue;
    const path = buildOrgPath(parentPath, division.code);
    if (!known.has(division.code)) rows.push({ id: division.code, parent_id: parentId, name: division.name, level, path });
    known.set(division.code, path);
  }
  await db.knex.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) await trx(db.t('org_unit')).insert(rows.slice(i, i + 500)).onConflict('id').merge(['name']);
    // An operator's script writes here, outside any request: audited as the script, in the same transaction.
    await appendAudit(trx, db, { subject: 'script:load-divisions', role: 'system', orgId: 'CN', orgPath: '/CN/' }, {
      action: 'load_divisions',
      teacherIds: [],
      result: 'ok',
      detail: { divisions: divisions.length, inserted: rows.length },
    });
  });
  return rows.length;
}
