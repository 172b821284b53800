import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo, type CopyStreamQuery } from 'pg-copy-streams';
import { createDb, migrateLatest, type Db } from '../../subgraphs/shared/src/db';
import { SUBGRAPHS } from '../../subgraphs';
import { generateDataset, type GenerateSummary } from './model';
import { copyLine, subgraphOf, TABLE_KEYS, TABLES, tableOf, type RowSink, type TableKey, type Value } from './tables';

/**
 * Loads a generated data set into the four subgraphs' schemas of one PostgreSQL database with COPY.
 *
 * The per-teacher tables stream while the data is generated, each through its own connection, so
 * Node generates rows while PostgreSQL's backends parse and index the previous chunks. Tables of
 * organisations and reference data are small: they are buffered and copied after, one connection
 * per subgraph. Every connection loads inside one transaction with `session_replication_role =
 * replica`, which skips foreign-key triggers (as pg_restore --disable-triggers does): the rows are
 * consistent by construction, and teachers need not wait for their school's transaction to commit.
 * All transactions commit together at the end, so a failed load leaves nothing.
 */
const STREAMED: ReadonlySet<TableKey> = new Set<TableKey>([
  'teacher-registry.teacher',
  'teacher-registry.teacher_education',
  'teacher-registry.teacher_work_history',
  'teacher-registry.teacher_title_appointment',
  'teacher-registry.teacher_qualification',
  'teacher-registry.teacher_skill_certificate',
  'teacher-registry.teacher_contact',
  'teacher-registry.teacher_pay',
  'training.teacher_scope',
  'training.training_record',
  'training.credit_ledger_entry',
  'staffing-quota.teacher_scope',
  'staffing-quota.teacher_profile',
  'staffing-quota.employment',
  'staffing-quota.post_appointment',
  'evaluation.teacher_scope',
  'evaluation.annual_assessment',
  'evaluation.qualification_registration',
]);

const CHUNK_BYTES = 256 * 1024;

export interface LoadOptions {
  databaseUrl: string;
  teachers: number;
  seed: number;
  /** Schemas are `<subgraph>_<suffix>` (as the tests name theirs); default: the subgraphs' own names. */
  schemaSuffix?: string;
  /** Drop the four schemas first. Without it, a schema that already holds teachers is refused. */
  reset?: boolean;
  /** After loading, dump the same rows and time a plain COPY of them, for the ratio. */
  rawCopy?: boolean;
  log?: (line: string) => void;
}

export interface TableStats {
  table: TableKey;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface LoadResult {
  summary: GenerateSummary;
  schemas: Record<string, string>;
  tables: TableStats[];
  totalRows: number;
  /** Generation and COPY, from the first row to the last commit. */
  loadMs: number;
  migrateMs: number;
  analyzeMs: number;
  /** sha256 over every table's COPY text: equal for equal seeds and sizes. */
  checksum: string;
  rawCopyMs?: number;
}

export function schemaNames(suffix?: string): Record<string, string> {
  return Object.fromEntries(SUBGRAPHS.map((s) => [s.name, suffix ? `${s.name.replace(/-/g, '_')}_${suffix}` : s.name.replace(/-/g, '_')]));
}

const qualified = (schemas: Record<string, string>, key: TableKey) => `"${schemas[subgraphOf(key)]}"."${tableOf(key)}"`;
const copySql = (schemas: Record<string, string>, key: TableKey) => `COPY ${qualified(schemas, key)} (${TABLES[key].join(', ')}) FROM STDIN`;

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'generator' });
  await client.connect();
  await client.query('SET session_replication_role = replica');
  await client.query('SET synchronous_commit = off');
  await client.query('BEGIN');
  return client;
}

interface Channel {
  key: TableKey;
  client?: pg.Client;
  stream?: CopyStreamQuery;
  buffer: string[];
  bufferedBytes: number;
  rows: number;
  bytes: number;
  hash: Hash;
  needsDrain: boolean;
}

class CopySink implements RowSink {
  readonly channels = new Map<TableKey, Channel>();
  private readonly streamErrors: Error[] = [];

  constructor(private readonly url: string, private readonly schemas: Record<string, string>) {
    for (const key of TABLE_KEYS) this.channels.set(key, { key, buffer: [], bufferedBytes: 0, rows: 0, bytes: 0, hash: createHash('sha256'), needsDrain: false });
  }

  async open(): Promise<void> {
    await Promise.all(
      [...STREAMED].map(async (key) => {
        const channel = this.channels.get(key) as Channel;
        channel.client = await connect(this.url);
        channel.stream = channel.client.query(copyFrom(copySql(this.schemas, key)));
        channel.stream.on('error', (error) => this.streamErrors.push(error));
      }),
    );
  }

  row(table: TableKey, values: readonly Value[]): void {
    const channel = this.channels.get(table) as Channel;
    const line = copyLine(values);
    channel.buffer.push(line);
    channel.bufferedBytes += line.length;
    channel.rows += 1;
    if (channel.stream && channel.bufferedBytes >= CHUNK_BYTES) this.flush(channel);
  }

  private flush(channel: Channel): void {
    if (channel.buffer.length === 0) return;
    const chunk = channel.buffer.join('');
    channel.buffer = [];
    channel.bufferedBytes = 0;
    channel.hash.update(chunk);
    const bytes = Buffer.from(chunk, 'utf8');
    channel.bytes += bytes.length;
    if (!(channel.stream as CopyStreamQuery).write(bytes)) channel.needsDrain = true;
  }

  async drain(): Promise<void> {
    if (this.streamErrors.length > 0) throw this.streamErrors[0];
    for (const channel of this.channels.values()) {
      if (!channel.needsDrain) continue;
      channel.needsDrain = false;
      await Promise.race([once(channel.stream as CopyStreamQuery, 'drain'), once(channel.stream as CopyStreamQuery, 'error').then(([e]) => Promise.reject(e))]);
    }
  }

  /** Ends the streams, copies the buffered tables, and commits everything (or rolls all back). */
  async finish(): Promise<void> {
    const clients: pg.Client[] = [];
    try {
      await Promise.all(
        [...STREAMED].map(async (key) => {
          const channel = this.channels.get(key) as Channel;
          clients.push(channel.client as pg.Client);
          this.flush(channel);
          (channel.stream as CopyStreamQuery).end();
          await finished(channel.stream as CopyStreamQuery);
        }),
      );
      // Buffered tables: one connection per subgraph, its tables one after another.
      const bySubgraph = new Map<string, Channel[]>();
      for (const channel of this.channels.values()) {
        if (STREAMED.has(channel.key) || channel.buffer.length === 0) continue;
        const list = bySubgraph.get(subgraphOf(channel.key)) ?? [];
        list.push(channel);
        bySubgraph.set(subgraphOf(channel.key), list);
      }
      await Promise.all(
        [...bySubgraph.values()].map(async (channels) => {
          const client = await connect(this.url);
          clients.push(client);
          for (const channel of channels) {
            const stream = client.query(copyFrom(copySql(this.schemas, channel.key)));
            channel.stream = stream;
            this.flush(channel);
            stream.end();
            await finished(stream);
          }
        }),
      );
      await Promise.all(clients.map((c) => c.query('COMMIT')));
    } catch (error) {
      await Promise.all(clients.map((c) => c.query('ROLLBACK').catch(() => undefined)));
      throw error;
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  }

  async abort(): Promise<void> {
    for (const channel of this.channels.values()) {
      channel.stream?.destroy();
      await channel.client?.end().catch(() => undefined);
    }
  }
}

interface DeferredIndex {
  table: string;
  name: string;
  definition: string;
}

/**
 * Secondary indexes of the tables being loaded (not primary keys or constraint-backed unique keys)
 * are dropped before the COPY and built again after it: one sort per index instead of a B-tree
 * descent per row, the usual way to bulk-load. Unique indexes among them are checked when rebuilt.
 */
async function dropSecondaryIndexes(url: string, schemas: Record<string, string>): Promise<DeferredIndex[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'generator' });
  await client.connect();
  try {
    const pairs = TABLE_KEYS.map((key) => `${schemas[subgraphOf(key)]}.${tableOf(key)}`);
    const { rows } = await client.query(
      `select format('%I.%I', n.nspname, c.relname) as table, format('%I.%I', n.nspname, i.relname) as name, pg_get_indexdef(i.oid) as definition
         from pg_index x
         join pg_class i on i.oid = x.indexrelid
         join pg_class c on c.oid = x.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname || '.' || c.relname = any($1) and not x.indisprimary
          and not exists (select 1 from pg_constraint k where k.conindid = i.oid)
        order by c.relpages desc, i.relname`,
      [pairs],
    );
    for (const index of rows as DeferredIndex[]) await client.query(`drop index ${index.name}`);
    return rows as DeferredIndex[];
  } finally {
    await client.end();
  }
}

/** Builds the dropped indexes again, two at a time (one per core here), largest tables first. */
async function rebuildIndexes(url: string, indexes: DeferredIndex[]): Promise<void> {
  const queue = [...indexes];
  await Promise.all(
    [0, 1].map(async () => {
      const client = new pg.Client({ connectionString: url, application_name: 'generator' });
      await client.connect();
      try {
        await client.query(`set maintenance_work_mem = '256MB'`);
        for (let index = queue.shift(); index; index = queue.shift()) await client.query(index.definition);
      } finally {
        await client.end();
      }
    }),
  );
}

/** Runs every subgraph's migrations into its schema (dropping it first with `reset`). */
async function prepareSchemas(url: string, schemas: Record<string, string>, reset: boolean): Promise<void> {
  for (const definition of SUBGRAPHS) {
    const db: Db = createDb({ url, schema: schemas[definition.name] as string, poolMax: 2, statementTimeoutMs: 0, applicationName: 'generator' });
    try {
      if (reset) await db.knex.raw('drop schema if exists ?? cascade', [db.schema]);
      await migrateLatest(db, definition.migrations);
      if (definition.name === 'teacher-registry') {
        const existing = await db.knex(db.t('teacher')).first('id');
        if (existing) throw new Error(`schema ${db.schema} already holds teachers: pass --reset to replace them`);
      }
    } finally {
      await db.destroy();
    }
  }
}

/** Rows the migrations themselves insert stay; everything the generator writes is removed. */
async function truncateGenerated(url: string, schemas: Record<string, string>): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'generator' });
  await client.connect();
  try {
    const tables = TABLE_KEYS.map((key) => qualified(schemas, key));
    await client.query(`TRUNCATE ${tables.join(', ')} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * The baseline for the ratio: the same rows, already rendered (dumped to files), copied into the
 * same emptied tables with the same indexes, connections and transactions, no generation.
 */
async function rawCopy(url: string, schemas: Record<string, string>, stats: TableStats[], log: (line: string) => void): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'generator-raw-'));
  try {
    const dumper = new pg.Client({ connectionString: url, application_name: 'generator' });
    await dumper.connect();
    try {
      for (const { table } of stats) {
        await pipeline(dumper.query(copyTo(`COPY ${qualified(schemas, table)} (${TABLES[table].join(', ')}) TO STDOUT`)), createWriteStream(join(dir, table)));
      }
    } finally {
      await dumper.end();
    }
    await truncateGenerated(url, schemas);
    log('raw COPY: tables dumped and emptied; copying the files back …');
    const started = performance.now();
    const deferred = await dropSecondaryIndexes(url, schemas);
    const clients: pg.Client[] = [];
    const load = async (client: pg.Client, table: TableKey) => pipeline(createReadStream(join(dir, table)), client.query(copyFrom(copySql(schemas, table))));
    await Promise.all(
      stats.filter((s) => STREAMED.has(s.table)).map(async ({ table }) => {
        const client = await connect(url);
        clients.push(client);
        await load(client, table);
      }),
    );
    const bySubgraph = new Map<string, TableKey[]>();
    for (const { table } of stats) if (!STREAMED.has(table)) bySubgraph.set(subgraphOf(table), [...(bySubgraph.get(subgraphOf(table)) ?? []), table]);
    await Promise.all(
      [...bySubgraph.values()].map(async (tables) => {
        const client = await connect(url);
        clients.push(client);
        for (const table of tables) await load(client, table);
      }),
    );
    await Promise.all(clients.map((c) => c.query('COMMIT')));
    await Promise.all(clients.map((c) => c.end()));
    await rebuildIndexes(url, deferred);
    return performance.now() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every school of the registry is recounted by the pay-band reader's next refresh. */
async function markPaySchoolsDirty(client: pg.Client, registry: string): Promise<void> {
  await client.query(`insert into "${registry}".pay_band_dirty (school_id) select distinct school_id from "${registry}".teacher where school_id is not null on conflict do nothing`);
}

/**
 * `--add-pay`: gives an existing generated data set (same seed and size) the pay rows a fresh run
 * now writes, without regenerating the rest. The data set is generated again in Node (the same
 * stream, so the same teacher ids) but only `teacher_pay` rows are copied; refused when the set
 * already has pay rows, and rolled back if any row names a teacher the set does not hold.
 */
export async function addPay(options: LoadOptions): Promise<{ rows: number; ms: number; checksum: string }> {
  const log = options.log ?? (() => undefined);
  const schemas = schemaNames(options.schemaSuffix);
  const registry = schemas['teacher-registry'] as string;
  // Brings every schema to the latest migrations (the rollups new since the set was generated).
  for (const definition of SUBGRAPHS) {
    const db: Db = createDb({ url: options.databaseUrl, schema: schemas[definition.name] as string, poolMax: 2, statementTimeoutMs: 0, applicationName: 'generator' });
    try {
      await migrateLatest(db, definition.migrations);
    } finally {
      await db.destroy();
    }
  }
  const client = await connect(options.databaseUrl);
  const started = performance.now();
  try {
    const { rows: [state] } = await client.query(`select (select count(*) from "${registry}".teacher)::int as teachers, exists (select 1 from "${registry}".teacher_pay) as paid`);
    if (state.paid) throw new Error(`${registry}.teacher_pay already holds rows`);
    if (state.teachers !== options.teachers) throw new Error(`${registry} holds ${state.teachers} teachers, not --teachers ${options.teachers}`);
    const key: TableKey = 'teacher-registry.teacher_pay';
    const stream = client.query(copyFrom(copySql(schemas, key)));
    const hash = createHash('sha256');
    let buffer: string[] = [];
    let bytes = 0;
    let rows = 0;
    const flush = () => {
      const chunk = buffer.join('');
      hash.update(chunk);
      buffer = [];
      bytes = 0;
      return stream.write(Buffer.from(chunk, 'utf8'));
    };
    let needsDrain = false;
    await generateDataset(
      { teachers: options.teachers, seed: options.seed },
      {
        row(table, values) {
          if (table !== key) return;
          const line = copyLine(values);
          buffer.push(line);
          bytes += line.length;
          rows += 1;
          if (bytes >= CHUNK_BYTES && !flush()) needsDrain = true;
        },
        async drain() {
          if (needsDrain) {
            needsDrain = false;
            await once(stream, 'drain');
          }
        },
      },
    );
    flush();
    stream.end();
    await finished(stream);
    const { rows: [orphans] } = await client.query(`select count(*)::int as n from "${registry}".teacher_pay p where not exists (select 1 from "${registry}".teacher t where t.id = p.teacher_id)`);
    if (orphans.n > 0) throw new Error(`${orphans.n} pay rows name teachers ${registry} does not hold: was it generated with another seed?`);
    await client.query('COMMIT');
    await client.query(`ANALYZE "${registry}".teacher_pay`);
    await markPaySchoolsDirty(client, registry);
    const ms = performance.now() - started;
    log(`teacher_pay: ${rows.toLocaleString('en')} rows in ${(ms / 1000).toFixed(1)} s`);
    return { rows, ms, checksum: hash.digest('hex') };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

async function afterLoad(url: string, schemas: Record<string, string>, teachers: number, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url, application_name: 'generator' });
  await client.connect();
  try {
    const registry = schemas['teacher-registry'] as string;
    // New registrations draw serials from the sequence: move it past the generated ones.
    await client.query(`select setval('"${registry}".teacher_number_seq', greatest($1::bigint, 999999))`, [teachers]);
    // Fresh tables have no planner statistics until autovacuum gets to them.
    for (const key of TABLE_KEYS) await client.query(`ANALYZE ${qualified(schemas, key)}`);
    // COPY ran without triggers: rebuild every rollup the subgraphs keep (`<name>_rollup_rebuild()`).
    const rollups = await client.query(
      `select n.nspname as schema, p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any($1) and p.proname like '%\\_rollup\\_rebuild' order by 1, 2`,
      [Object.values(schemas)],
    );
    for (const { schema, name } of rollups.rows as { schema: string; name: string }[]) {
      const t = performance.now();
      await client.query(`select "${schema}"."${name}"()`);
      await client.query(`ANALYZE "${schema}"."${name.replace(/_rebuild$/, '')}"`);
      log(`${schema}.${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    // The pay-band rollup is recounted by its reader from dirty marks (its triggers were skipped too).
    await markPaySchoolsDirty(client, registry);
  } finally {
    await client.end();
  }
  const ms = performance.now() - started;
  log(`analyze and rollups: ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

export async function generate(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined);
  const schemas = schemaNames(options.schemaSuffix);
  const migrateStarted = performance.now();
  await prepareSchemas(options.databaseUrl, schemas, options.reset ?? false);
  const migrateMs = performance.now() - migrateStarted;
  log(`migrations: ${(migrateMs / 1000).toFixed(1)} s (schemas ${Object.values(schemas).join(', ')})`);

  const sink = new CopySink(options.databaseUrl, schemas);
  const started = performance.now();
  let summary: GenerateSummary;
  const deferred = await dropSecondaryIndexes(options.databaseUrl, schemas);
  try {
    await sink.open();
    const progressEvery = Math.max(50_000, Math.round(options.teachers / 10));
    let nextReport = progressEvery;
    const counting: RowSink = {
      row: (table, values) => {
        sink.row(table, values);
        if (table === 'teacher-registry.teacher') {
          const n = (sink.channels.get(table) as Channel).rows;
          if (n >= nextReport) {
            nextReport += progressEvery;
            const s = (performance.now() - started) / 1000;
            log(`  ${n.toLocaleString('en')} teachers after ${s.toFixed(1)} s`);
          }
        }
      },
      drain: () => sink.drain(),
    };
    summary = await generateDataset({ teachers: options.teachers, seed: options.seed }, counting);
    await sink.finish();
  } catch (error) {
    await sink.abort();
    throw error;
  } finally {
    const indexStarted = performance.now();
    await rebuildIndexes(options.databaseUrl, deferred);
    log(`${deferred.length} secondary indexes built after the COPY in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);
  }
  const loadMs = performance.now() - started;
  const tables: TableStats[] = [...sink.channels.values()].filter((c) => c.rows > 0).map((c) => ({ table: c.key, rows: c.rows, bytes: c.bytes, sha256: c.hash.digest('hex') }));
  const checksum = createHash('sha256').update(tables.map((t) => `${t.table}:${t.rows}:${t.sha256}\n`).join('')).digest('hex');
  const analyzeMs = await afterLoad(options.databaseUrl, schemas, summary.teachers, log);
  const result: LoadResult = { summary, schemas, tables, totalRows: tables.reduce((s, t) => s + t.rows, 0), loadMs, migrateMs, analyzeMs, checksum };
  if (options.rawCopy) {
    result.rawCopyMs = await rawCopy(options.databaseUrl, schemas, tables, log);
    await afterLoad(options.databaseUrl, schemas, summary.teachers, log);
  }
  return result;
}
