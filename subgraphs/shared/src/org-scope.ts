import type { Knex } from 'knex';
import type { Viewer } from './identity';
import { parseAdminRole } from './identity';

/**
 * "Own organisation and below", applied in SQL.
 *
 * Every organisation carries a materialised path of codes ending in a slash
 * (`/CN/420000/420100/420111/`), so a subtree is a prefix: counts, pages and aggregates come
 * out right and nothing leaks through pagination because the filter sits in the WHERE clause.
 */

/** Escapes LIKE wildcards so a path is matched literally. */
export function likePrefix(path: string): string {
  return `${path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * SQL: `column` lies in the subtree whose path is the SQL expression `path` (another column, not a
 * constant). `column like path || '%'` alone cannot use an index when the pattern is not a
 * constant, so a join on it reads the whole table; paths end in '/', so the subtree is also the
 * byte range [path, path with its last '/' turned into '0'), which a text_pattern_ops index reads
 * directly. The `like` stays as the exact condition.
 */
export function inSubtreeSql(column: string, path: string): string {
  return `(${column} ~>=~ ${path} and ${column} ~<~ (left(${path}, -1) || '0') and ${column} like ${path} || '%')`;
}

export function buildOrgPath(parentPath: string | null, code: string): string {
  return `${parentPath ?? '/'}${code}/`;
}

/** True when `path` lies in the subtree rooted at `rootPath` (itself included). */
export function isWithinPath(path: string, rootPath: string): boolean {
  return path.startsWith(rootPath);
}

/** Principals whose reads of person-level data are scoped by their organisation subtree. */
export function hasOrgScope(viewer: Viewer): boolean {
  return parseAdminRole(viewer.role) !== null || viewer.role === 'partner';
}

/** Analysts see no person, but do see aggregates (counts, sums) over their subtree. */
export function hasAggregateScope(viewer: Viewer): boolean {
  return hasOrgScope(viewer) || viewer.role === 'analyst';
}

/**
 * Restricts a query on an organisation-owned table to the viewer's subtree. `aggregate` marks
 * queries that return only figures about units, never rows about persons.
 */
export function whereOrgInScope<T extends Knex.QueryBuilder>(query: T, pathColumn: string, viewer: Viewer, options: { aggregate?: boolean } = {}): T {
  const allowed = options.aggregate ? hasAggregateScope(viewer) : hasOrgScope(viewer);
  if (!allowed) return query.whereRaw('false') as T;
  return query.whereRaw('?? like ?', [pathColumn, likePrefix(viewer.orgPath)]) as T;
}

/**
 * Restricts a query on teacher-owned rows: a teacher sees their own rows only, scoped principals
 * see teachers whose organisation path lies in their subtree, everybody else sees nothing.
 */
export function whereTeacherInScope<T extends Knex.QueryBuilder>(
  query: T,
  columns: { teacherId: string; orgPath: string },
  viewer: Viewer,
): T {
  if (viewer.role === 'teacher') {
    return (viewer.teacherId ? query.where(columns.teacherId, viewer.teacherId) : query.whereRaw('false')) as T;
  }
  return whereOrgInScope(query, columns.orgPath, viewer);
}

/** The same rule for a row already in memory (used to double-check single-row writes). */
export function canSeeTeacher(viewer: Viewer, teacher: { id: string; orgPath: string }): boolean {
  if (viewer.role === 'teacher') return viewer.teacherId === teacher.id;
  return hasOrgScope(viewer) && isWithinPath(teacher.orgPath, viewer.orgPath);
}
