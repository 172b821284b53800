import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

/**
 * Closes the gap the gateway's idempotency store leaves open: the gateway keeps a mutation's answer
 * under its Idempotency-Key only after the subgraph committed, so a gateway that dies in between
 * (or loses its store) would let a replay write again. The gateway therefore forwards a digest of
 * the account and key (`x-idempotency-key`) with the mutation, and `runMutation` records it in the
 * subgraph's `idempotency_record` table inside the write's own transaction: the record and the
 * write commit together or not at all, and a second transaction with the same key finds it and
 * stores nothing.
 */
export const IDEMPOTENCY_KEY_HEADER = 'x-idempotency-key';
const DIGEST = /^[a-f0-9]{64}$/;

interface Scope {
  key: string;
  table: string;
  /** Transactions run so far in this request: the n-th write of a replay meets the n-th record. */
  writes: number;
}
const scopeStorage = new AsyncLocalStorage<Scope>();

/** Runs one request's execution with its forwarded key (if any, and if the service has the table). */
export function withIdempotencyKey<T>(header: string | string[] | undefined, table: string | undefined, run: () => Promise<T>): Promise<T> {
  const key = Array.isArray(header) ? header[0] : header;
  if (!table || !key || !DIGEST.test(key)) return run();
  return scopeStorage.run({ key, table, writes: 0 }, run);
}

/**
 * Inside a write transaction: records this request's key; false when a transaction with the same
 * key and position already committed (the caller then stores nothing).
 */
export async function claimIdempotencyRecord(trx: Knex.Transaction): Promise<boolean> {
  const scope = scopeStorage.getStore();
  if (!scope) return true;
  scope.writes += 1;
  const inserted = await trx(scope.table).insert({ key: scope.key, seq: scope.writes }).onConflict(['key', 'seq']).ignore().returning('key');
  return inserted.length > 0;
}

/** The table, created by each subgraph's migration. */
export async function createIdempotencyRecordTable(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('idempotency_record', (t) => {
    t.text('key').notNullable();
    t.integer('seq').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['key', 'seq']);
    t.index(['created_at']);
  });
}

export async function dropIdempotencyRecordTable(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).dropTableIfExists('idempotency_record');
}

/**
 * Records outlive the gateway's own memory of a key (IDEMPOTENCY_TTL_SECONDS, a day by default)
 * by a wide margin, then go: a replay after a week is no longer a replay anyone can mean.
 */
export const IDEMPOTENCY_RECORD_DAYS = 7;

export async function purgeIdempotencyRecords(knex: Knex, table: string, keepDays = IDEMPOTENCY_RECORD_DAYS): Promise<number> {
  return knex(table).where('created_at', '<', knex.raw(`now() - make_interval(days => ?)`, [keepDays])).delete();
}

/** Purges hourly in each subgraph process (timers unref'd: they never keep a process alive). */
export function startIdempotencyPurge(options: { knex: Knex; table: string; onError(error: unknown): void; intervalMs?: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const pass = () => {
    running ??= purgeIdempotencyRecords(options.knex, options.table)
      .catch(options.onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(pass, options.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
