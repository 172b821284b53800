import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Db } from './db';
import type { DemoDataset } from './demo/dataset';
import type { Viewer } from './identity';
import { normaliseUuid } from './ids';
import { mapTo } from './loaders';
import { whereTeacherInScope } from './org-scope';
import { unitNodeOfPath, type UnitNode } from './hierarchy-publication';

/**
 * Local projections a subgraph keeps of facts another subgraph owns, only to authorise its own
 * rows in SQL: which organisation path a teacher belongs to, and where an organisation sits in the
 * tree. They are written by the owner's events (and by the demo loader), never edited by users.
 */
export async function createTeacherScopeProjection(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('teacher_scope', (t) => {
    t.uuid('teacher_id').primary();
    t.text('org_path').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index teacher_scope_org_path_idx on ??.teacher_scope (org_path text_pattern_ops)', [schema]);
}

/**
 * The registry's status of each teacher (teacher.status-changed), with its own clock so a status
 * and a move arriving out of order do not overwrite each other. Existing rows are active: the
 * registry sent no status event before this column existed.
 */
export async function addTeacherScopeStatus(knex: Knex, schema: string): Promise<void> {
  await knex.raw(
    `alter table ??.teacher_scope add column status text not null default 'active'
       constraint teacher_scope_status_check check (status in ('active', 'retired', 'left', 'transferred_out', 'deleted')),
       add column status_updated_at timestamptz`,
    [schema],
  );
}

export async function dropTeacherScopeStatus(knex: Knex, schema: string): Promise<void> {
  await knex.raw('alter table ??.teacher_scope drop column if exists status_updated_at, drop column if exists status', [schema]);
}

export async function createOrgScopeProjection(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('org_scope', (t) => {
    t.text('org_id').primary();
    t.text('org_path').notNullable().unique();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index org_scope_org_path_idx on ??.org_scope (org_path text_pattern_ops)', [schema]);
}

/** Inserts rows in batches small enough for PostgreSQL's 65535-parameter limit. */
export async function insertInBatches(knex: Knex | Knex.Transaction, table: string, rows: readonly object[], batchSize = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += batchSize) {
    await knex(table).insert(rows.slice(i, i + batchSize) as object[]);
  }
}

/**
 * Loads which of the requested teachers the viewer may see, from the local `teacher_scope`
 * projection. Subgraphs that extend `Teacher` resolve references through it, so `_entities`
 * answers null for a teacher outside the viewer's reach (or whose draft archive was deleted).
 * `onVisible`, when given, also receives the organisation path of each visible teacher (read by
 * the same statement), e.g. to prime a loader that would otherwise read it again.
 */
export function createTeacherScopeLoader(db: Db, viewer: Viewer, onVisible?: (rows: readonly { id: string; orgPath: string }[]) => void) {
  return new DataLoader<string, { id: string } | null>(async (ids) => {
    const query = db
      .knex(db.t('teacher_scope'))
      .select(onVisible ? ['teacher_id as id', 'org_path as orgPath'] : ['teacher_id as id'])
      .whereIn('teacher_id', ids.filter((id) => normaliseUuid(id) === id))
      // A deleted draft archive is gone from the registry; a retired or departed teacher stays readable (history is kept).
      .whereNot('status', 'deleted');
    const rows: { id: string; orgPath?: string }[] = await whereTeacherInScope(query, { teacherId: 'teacher_id', orgPath: 'org_path' }, viewer);
    if (!onVisible) return mapTo(ids, rows, (r) => r.id);
    onVisible(rows as { id: string; orgPath: string }[]);
    return mapTo(ids, rows.map((r) => ({ id: r.id })), (r) => r.id);
  });
}


/** Seeds the teacher_scope projection from the demo data set (the registry's events feed it later). */
export async function seedTeacherScope(trx: Knex.Transaction, db: Db, dataset: DemoDataset): Promise<void> {
  await insertInBatches(trx, db.t('teacher_scope'), dataset.teachers.map((t) => ({ teacher_id: t.id, org_path: t.orgPath })));
}

/**
 * The organisation tree as the `org_scope` projection holds it (id and path; the parent is the
 * path's previous code), for the statistics decided level by level (hierarchy-publication.ts).
 * Built per request, like every loader.
 */
export function createOrgTreeLoaders(db: Db) {
  const unitById = new DataLoader<string, UnitNode | null>(async (ids) => {
    const rows: { id: string; path: string }[] = await db.knex(db.t('org_scope')).select('org_id as id', 'org_path as path').whereIn('org_id', ids as string[]);
    return mapTo(ids, rows.map((r) => unitNodeOfPath(r.id, r.path)), (u) => u.id);
  });
  const childrenById = new DataLoader<string, UnitNode[]>(async (ids) => {
    const parents = (await unitById.loadMany(ids)).map((u) => (u instanceof Error ? null : u));
    const known = parents.filter((u): u is UnitNode => u !== null);
    if (known.length === 0) return ids.map(() => []);
    // Codes are alphanumeric, so a path needs no escaping in the pattern: one more code, then '/'.
    const rows: { id: string; path: string }[] = await db
      .knex(db.t('org_scope'))
      .select('org_id as id', 'org_path as path')
      .where((q) => {
        for (const parent of known) q.orWhereRaw('org_path ~ ?', [`^${parent.path}[A-Za-z0-9]+/$`]);
      });
    const children = rows.map((r) => unitNodeOfPath(r.id, r.path));
    return ids.map((id) => children.filter((c) => c.parentId === id));
  });
  return { unit: (id: string) => unitById.load(id), children: (id: string) => childrenById.load(id) };
}
