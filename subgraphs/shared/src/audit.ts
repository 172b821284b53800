import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './db';
import type { Viewer } from './identity';

/**
 * Append-only, tamper-evident audit trail, one per subgraph schema. Each row carries the hash of
 * the previous row and its own content, so a changed or deleted row breaks the chain
 * (`verifyAuditChain`); a trigger refuses UPDATE and DELETE outright, and the only way rows go is
 * the retention purge, which records where the chain restarts.
 */
export interface AuditEntry {
  /** What was done: `reveal_personal_details`, `update_archive`, … */
  action: string;
  /** GraphQL operation name, if any. */
  operation?: string | null;
  teacherIds: string[];
  result: 'ok' | 'refused' | 'error';
  /** Anything else worth keeping (a reason given, fields revealed); never the revealed values. */
  detail?: Record<string, unknown>;
}

export async function createAuditTable(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('subject').notNullable();
    t.text('role').notNullable();
    t.text('org_id').notNullable();
    t.text('client_id');
    t.text('action').notNullable();
    t.text('operation');
    t.specificType('teacher_ids', 'uuid[]').notNullable();
    t.text('result').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable().unique();
    t.index(['at']);
  });
  await knex.raw(`create index audit_log_teacher_ids_idx on ??.audit_log using gin (teacher_ids)`, [schema]);
  await knex.raw(`
    create or replace function ??.audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if current_setting('audit.purge', true) = 'on' and tg_op = 'DELETE' then return old; end if;
      raise exception 'audit_log is append-only';
    end $$`, [schema]);
  await knex.raw(`create trigger audit_log_append_only before update or delete on ??.audit_log for each row execute function ??.audit_log_append_only()`, [schema, schema]);
}

export async function dropAuditTable(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).dropTableIfExists('audit_log');
  await knex.raw('drop function if exists ??.audit_log_append_only()', [schema]);
}

const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth: jsonb does not keep key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function rowHash(prevHash: string, row: Record<string, unknown>): string {
  const canonical = canonicalJson([row.at, row.subject, row.role, row.org_id, row.client_id ?? null, row.action, row.operation ?? null, row.teacher_ids, row.result, row.detail]);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

/**
 * Appends one entry. Call it inside the transaction of the action it records, so the action and
 * its audit row commit together. A transaction-level advisory lock serialises writers, so the chain
 * has no forks.
 */
export async function appendAudit(trx: Knex.Transaction, db: Db, viewer: Viewer, entry: AuditEntry): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`audit:${db.schema}`]);
  const last = await trx(db.t('audit_log')).orderBy('id', 'desc').first('hash');
  const row = {
    at: new Date().toISOString(),
    subject: viewer.subject,
    role: viewer.role,
    org_id: viewer.orgId,
    client_id: viewer.clientId ?? null,
    action: entry.action,
    operation: entry.operation ?? null,
    teacher_ids: [...entry.teacherIds].sort(),
    result: entry.result,
    detail: entry.detail ?? {},
  };
  const prevHash = (last?.hash as string | undefined) ?? GENESIS;
  await trx(db.t('audit_log')).insert({ ...row, detail: JSON.stringify(row.detail), prev_hash: prevHash, hash: rowHash(prevHash, row) });
}

/** Walks the chain; returns the id of the first row that does not verify, or null if all do. */
export async function verifyAuditChain(db: Db): Promise<number | null> {
  const rows = await db.knex(db.t('audit_log')).select('*').orderBy('id');
  let prev: string | null = null;
  for (const row of rows) {
    const at = new Date(row.at as string | Date).toISOString();
    const expectedPrev = prev ?? (row.prev_hash as string); // the first kept row may follow a purge
    if (row.prev_hash !== expectedPrev || rowHash(row.prev_hash as string, { ...row, at }) !== row.hash) return Number(row.id);
    prev = row.hash as string;
  }
  return null;
}

/** Deletes entries older than the retention period (at least six months); the chain restarts at the oldest kept row. */
export async function purgeAudit(db: Db, retentionDays: number): Promise<number> {
  if (retentionDays < 183) throw new Error('audit retention must be at least six months (183 days)');
  return db.knex.transaction(async (trx) => {
    await trx.raw(`set local audit.purge = 'on'`);
    const deleted: number = await trx(db.t('audit_log')).where('at', '<', trx.raw(`now() - make_interval(days => ?)`, [retentionDays])).delete();
    return deleted;
  });
}
