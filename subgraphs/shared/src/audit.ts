import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './db';
import type { Viewer } from './identity';

/**
 * Who acted. A viewer from the gateway, or a platform service applying an event (role `system`).
 * `orgPath` is what auditors are scoped by: an auditor sees the entries of actors in its subtree.
 */
export interface AuditActor {
  subject: string;
  role: string;
  orgId: string;
  orgPath: string;
  clientId?: string | null;
}

/**
 * Append-only, tamper-evident audit trail, one per subgraph schema. Each row carries the hash of
 * the previous row and its own content, so a changed or deleted row breaks the chain
 * (`verifyAuditChain`); a trigger refuses UPDATE and DELETE outright, and the only way rows go is
 * the retention purge, which records where the chain restarts.
 */
/**
 * The write being performed, set around each mutation resolver (audit-context.ts) so that
 * `runMutation` can append the audit row inside its own transaction without every call site
 * passing it along. `audited` turns true once a row for this write exists.
 */
export interface AuditScope {
  db: Db;
  actor: AuditActor;
  /** The mutation field, e.g. `createTeacher`. */
  action: string;
  operation: string | null;
  requestId: string | null;
  args: Record<string, unknown>;
  audited: boolean;
  /** Teachers a write touched that its arguments and result do not name (a bulk import's new archives). */
  touched?: Set<string>;
  /** Set by the subgraph server; a failure to write a refusal row is logged, never thrown over the real answer. */
  onAuditFailure?: (error: unknown) => void;
}

export const auditScopeStorage = new AsyncLocalStorage<AuditScope>();
export const currentAuditScope = (): AuditScope | undefined => auditScopeStorage.getStore();

/** Adds teachers to the audit entry of the write in progress (when their ids are in neither its arguments nor its answer). */
export function noteTeachersTouched(teacherIds: Iterable<string>): void {
  const scope = currentAuditScope();
  if (!scope) return;
  scope.touched ??= new Set();
  for (const id of teacherIds) scope.touched.add(id);
}

export interface AuditEntry {
  /** What was done: `reveal_personal_details`, `update_archive`, … */
  action: string;
  /** GraphQL operation name, if any. */
  operation?: string | null;
  teacherIds: string[];
  result: 'ok' | 'refused' | 'error';
  /** Anything else worth keeping (a reason given, fields revealed); never the revealed values. */
  detail?: Record<string, unknown>;
  /** The gateway's request id, to find every row one request left in every service. */
  requestId?: string | null;
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

/** The hashed content of a row, without the previous hash: `hash = sha256(prev_hash || rowContent)`. */
function rowContent(row: Record<string, unknown>): string {
  const fields = [row.at, row.subject, row.role, row.org_id, row.client_id ?? null, row.action, row.operation ?? null, row.teacher_ids, row.result, row.detail];
  // Rows written before the actor's organisation path was kept (registry reveals only) hash as they did.
  if (row.org_path != null) fields.push(row.org_path, row.request_id ?? null);
  return canonicalJson(fields);
}

function rowHash(prevHash: string, row: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash).update(rowContent(row)).digest('hex');
}

const AUDIT_APPEND_SIGNATURE = 'timestamptz, text, text, text, text, text, text, uuid[], text, jsonb, text, text, text';
const AUDIT_APPEND_COLUMNS = ['at', 'subject', 'role', 'org_id', 'client_id', 'action', 'operation', 'teacher_ids', 'result', 'detail', 'org_path', 'request_id'] as const;

/**
 * `<schema>.audit_append(...)`: the append of `appendAudit` as one statement instead of three
 * (lock, read the last hash, insert), so a sensitive read is audited in one round trip to the
 * database instead of five (with BEGIN and COMMIT). Same lock, same chain: the function takes the
 * schema's transaction-level advisory lock, then reads the last hash (a VOLATILE PL/pgSQL function
 * takes a fresh snapshot for each statement, so it sees the row of the writer it waited for), then
 * inserts with `hash = sha256(prev_hash || content)`, where `content` is the canonical JSON that
 * `rowContent` computes in the service, exactly as `verifyAuditWindow` recomputes it.
 */
export async function createAuditAppendFunction(knex: Knex, schema: string): Promise<void> {
  // The schema name goes into the function body (a literal and identifiers); it is the service's own setting.
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
  await knex.raw(`
    create or replace function ${schema}.audit_append(
      p_at timestamptz, p_subject text, p_role text, p_org_id text, p_client_id text, p_action text, p_operation text,
      p_teacher_ids uuid[], p_result text, p_detail jsonb, p_org_path text, p_request_id text, p_content text
    ) returns void language plpgsql volatile as $$
    declare
      prev text;
    begin
      perform pg_advisory_xact_lock(hashtextextended('audit:${schema}', 0));
      select hash into prev from ${schema}.audit_log order by id desc limit 1;
      prev := coalesce(prev, '${GENESIS}');
      insert into ${schema}.audit_log (at, subject, role, org_id, client_id, action, operation, teacher_ids, result, detail, org_path, request_id, prev_hash, hash)
      values (p_at, p_subject, p_role, p_org_id, p_client_id, p_action, p_operation, p_teacher_ids, p_result, p_detail, p_org_path, p_request_id,
              prev, encode(sha256(convert_to(prev || p_content, 'UTF8')), 'hex'));
    end $$`);
}

export async function dropAuditAppendFunction(knex: Knex, schema: string): Promise<void> {
  await knex.raw(`drop function if exists ??.audit_append(${AUDIT_APPEND_SIGNATURE})`, [schema]);
}

/**
 * Whether a schema has `audit_append` (every service's migrations add it; a table made by hand, as
 * in some tests, or an older scaffold has not), asked once per pool and schema. Asked on the
 * caller's own transaction when it has one: the embedded database runs one transaction at a time,
 * so a lookup on another connection would wait for the caller's transaction, which waits for it.
 */
const appendFunctionKnown = new WeakMap<object, Map<string, boolean>>();
async function hasAppendFunction(db: Db, executor: Knex | Knex.Transaction): Promise<boolean> {
  let bySchema = appendFunctionKnown.get(db.knex);
  if (!bySchema) appendFunctionKnown.set(db.knex, (bySchema = new Map()));
  const known = bySchema.get(db.schema);
  if (known !== undefined) return known;
  // Not an in-flight lookup shared between callers: one caller's may wait for another's transaction.
  const result = await executor.raw(`select to_regprocedure(?) is not null as present`, [`${db.schema}.audit_append(${AUDIT_APPEND_SIGNATURE})`]);
  const present = (result as { rows: { present: boolean }[] }).rows[0]?.present === true;
  bySchema.set(db.schema, present);
  return present;
}

function auditRow(viewer: AuditActor | Viewer, entry: AuditEntry) {
  const scope = currentAuditScope();
  return {
    at: new Date().toISOString(),
    subject: viewer.subject,
    role: viewer.role,
    org_id: viewer.orgId,
    client_id: viewer.clientId ?? null,
    action: entry.action,
    operation: entry.operation ?? scope?.operation ?? null,
    teacher_ids: [...entry.teacherIds].sort(),
    result: entry.result,
    detail: entry.detail ?? {},
    org_path: viewer.orgPath,
    request_id: entry.requestId ?? scope?.requestId ?? null,
  };
}

/** `select <schema>.audit_append(...)` for one entry, optionally preceded (same statement) by a data-modifying `with` step. */
function appendStatement(knex: Knex | Knex.Transaction, db: Db, row: ReturnType<typeof auditRow>, before?: Knex.QueryBuilder) {
  const values = AUDIT_APPEND_COLUMNS.map((c) => (c === 'detail' ? JSON.stringify(row.detail) : (row[c] ?? null)));
  const call = `select ??.audit_append(?::timestamptz, ?, ?, ?, ?, ?, ?, ?::uuid[], ?, ?::jsonb, ?, ?, ?)`;
  const bindings = [db.schema, ...values, rowContent(row)];
  return before ? knex.raw(`with before_audit as (?) ${call}`, [before, ...bindings]) : knex.raw(call, bindings);
}

function markAudited(db: Db): void {
  // A mutation that audits itself (a reveal) needs no second row from the audit middleware;
  // runMutation still appends its own row for the write either way.
  const scope = currentAuditScope();
  if (scope && scope.db.schema === db.schema) scope.audited = true;
}

/**
 * Appends one entry. Call it inside the transaction of the action it records, so the action and
 * its audit row commit together. A transaction-level advisory lock serialises writers, so the chain
 * has no forks.
 */
export async function appendAudit(trx: Knex.Transaction, db: Db, viewer: AuditActor | Viewer, entry: AuditEntry): Promise<void> {
  const row = auditRow(viewer, entry);
  if (await hasAppendFunction(db, trx)) {
    await appendStatement(trx, db, row);
  } else {
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`audit:${db.schema}`]);
    const last = await trx(db.t('audit_log')).orderBy('id', 'desc').first('hash');
    const prevHash = (last?.hash as string | undefined) ?? GENESIS;
    await trx(db.t('audit_log')).insert({ ...row, detail: JSON.stringify(row.detail), prev_hash: prevHash, hash: rowHash(prevHash, row) });
  }
  markAudited(db);
}

/**
 * Appends one entry in a transaction of its own, after `before` (an insert, e.g. a per-teacher
 * access log) when given: both or neither are stored. With `audit_append` this is one statement
 * (`with before_audit as (<before>) select audit_append(...)`), committed on its own.
 */
export async function appendAuditAlone(db: Db, viewer: AuditActor | Viewer, entry: AuditEntry, before?: Knex.QueryBuilder): Promise<void> {
  if (await hasAppendFunction(db, db.knex)) {
    await appendStatement(db.knex, db, auditRow(viewer, entry), before);
    markAudited(db);
    return;
  }
  await db.knex.transaction(async (trx) => {
    if (before) await before.transacting(trx);
    await appendAudit(trx, db, viewer, entry);
  });
}

/**
 * Audits a read of sensitive data (personal details, ethics, pay) in its own short transaction,
 * before the data is returned: no audit row, no read. Call it from a resolver or loader with the
 * request context; `teacherIds` are the teachers whose data the viewer is about to receive.
 *
 *   await auditRead(ctx, { action: 'read_pay_records', teacherIds: ids, detail: { fields: ['basicPay'] } });
 */
export async function auditRead(
  ctx: { db: Db; viewer: AuditActor | Viewer; requestId?: string | null },
  read: { action: string; teacherIds: readonly string[]; detail?: Record<string, unknown>; result?: AuditEntry['result'] },
): Promise<void> {
  await appendAuditAlone(ctx.db, ctx.viewer, {
    action: read.action,
    teacherIds: [...new Set(read.teacherIds)],
    result: read.result ?? 'ok',
    detail: read.detail,
    requestId: ctx.requestId ?? null,
    operation: currentAuditScope()?.operation ?? null,
  });
}

/**
 * Walks the chain; returns the id of the first row that does not verify, or null if all do. With
 * `window`, only the newest `window` rows are walked (the oldest of them is trusted as the start),
 * so checking a long trail on every auditor query stays bounded.
 */
export async function verifyAuditChain(db: Db, options: { window?: number } = {}): Promise<number | null> {
  return (await verifyAuditWindow(db, options)).brokenAt;
}

export async function verifyAuditWindow(db: Db, options: { window?: number } = {}): Promise<{ brokenAt: number | null; checked: number }> {
  const query = db.knex(db.t('audit_log')).select('*');
  const rows = options.window
    ? (await query.orderBy('id', 'desc').limit(options.window)).reverse()
    : await query.orderBy('id');
  let prev: string | null = null;
  for (const row of rows) {
    const at = new Date(row.at as string | Date).toISOString();
    const expectedPrev = prev ?? (row.prev_hash as string); // the first kept row may follow a purge
    if (row.prev_hash !== expectedPrev || rowHash(row.prev_hash as string, { ...row, at }) !== row.hash) return { brokenAt: Number(row.id), checked: rows.length };
    prev = row.hash as string;
  }
  return { brokenAt: null, checked: rows.length };
}

/** The legal floor: audit entries are kept for at least six months. */
export const MIN_AUDIT_RETENTION_DAYS = 183;

/** Deletes entries older than the retention period (at least six months); the chain restarts at the oldest kept row. */
export async function purgeAudit(db: Db, retentionDays: number): Promise<number> {
  if (retentionDays < MIN_AUDIT_RETENTION_DAYS) throw new Error('audit retention must be at least six months (183 days)');
  return db.knex.transaction(async (trx) => {
    await trx.raw(`set local audit.purge = 'on'`);
    const deleted: number = await trx(db.t('audit_log')).where('at', '<', trx.raw(`now() - make_interval(days => ?)`, [retentionDays])).delete();
    return deleted;
  });
}

/**
 * Columns added when every write and sensitive read became audited: the actor's organisation path
 * (what auditors are scoped by) and the gateway request id. Older rows keep null in both.
 */
export async function addAuditTrailColumns(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).alterTable('audit_log', (t) => {
    t.text('org_path');
    t.text('request_id');
    t.index(['org_path', 'id']);
    t.index(['subject', 'id']);
    t.index(['action', 'id']);
  });
}

export async function dropAuditTrailColumns(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).alterTable('audit_log', (t) => {
    t.dropIndex(['org_path', 'id']);
    t.dropIndex(['subject', 'id']);
    t.dropIndex(['action', 'id']);
    t.dropColumn('org_path');
    t.dropColumn('request_id');
  });
}
