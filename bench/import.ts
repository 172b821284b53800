import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createDb, migrateLatest } from '../subgraphs/shared/src/db';
import type { Viewer } from '../subgraphs/shared/src/identity';
import { teacherRegistry } from '../subgraphs/teacher-registry/src';
import { residentIdCheckCharacter } from '../subgraphs/teacher-registry/src/domain/resident-id';
import { IMPORT_COLUMNS, importTeachers, MAX_IMPORT_ROWS } from '../subgraphs/teacher-registry/src/services/teacher-import';
import { generate, schemaNames } from './generate/load';
import { startChild, stopChild, waitFor, type Child } from './gateway/processes';
import { SUBGRAPHS } from '../subgraphs';
import { envPrefix } from '../subgraphs/shared/src/config';
import { mintToken } from '../gateway/src/auth';
import { MAX_UPLOAD_ROWS } from '../subgraphs/teacher-registry/src/services/teacher-import-upload';
import { seededRandom } from '../subgraphs/shared/src/demo/dataset';
import { pick } from './generate/random';

/**
 * npm run bench:import -- [--rows 100000] [--via api|service] [--registry-heap-mb 512] [--database-url postgres://…/bench]
 *
 * The registry's bulk import at scale: builds a CSV of --rows teachers in the import template
 * (Chinese headings, codes or labels) for the schools of a generated national tree, imports it,
 * and compares with a raw COPY of exactly the rows the import wrote.
 *
 * --via api (default): the way a school does it. The four subgraphs and the gateway run as their
 * own processes; the whole file goes in ONE request to the gateway's upload route
 * (POST /uploads/teacher-import), then importTeachersFromUpload runs a dry run, the real import
 * (one transaction for the file) and the same upload again, each followed with teacherImport(id)
 * until it has finished. Peak resident memory (VmHWM) of the gateway and the registry is reported.
 *
 * --via service: calls the import service in-process (the code behind the importTeachers
 * mutation), in files of MAX_IMPORT_ROWS (20,000) rows, each its own transaction: the earlier
 * measurement, kept for comparison.
 */
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench' },
    keep: { type: 'boolean', default: false },
    via: { type: 'string', default: 'api' },
    // e.g. 512: caps the registry's V8 heap (--max-old-space-size), to see what the import needs
    // rather than what V8 takes when nothing stops it.
    'registry-heap-mb': { type: 'string' },
  },
});
const VIA = values.via as string;
if (VIA !== 'api' && VIA !== 'service') throw new Error('--via must be api or service');
const ROWS = Number(values.rows);
const url = values['database-url'] as string;
if (!Number.isInteger(ROWS) || ROWS < 1 || ROWS > 1_000_000) throw new Error('--rows must be 1 to 1,000,000');

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The import file's rows: valid people spread over the generated schools (deterministic). */
function buildRows(schools: { id: string; county: string }[]): string[][] {
  const random = seededRandom(20261129);
  const serials = new Map<string, number>();
  const rows: string[][] = [];
  for (let n = 0; n < ROWS; n += 1) {
    const school = schools[n % schools.length] as { id: string; county: string };
    const gender = random() < 0.7 ? 2 : 1;
    const year = 1967 + Math.floor(random() * 36);
    const birth = `${year}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`;
    // Sequences from 600 up: above the generator's, so no clash with teachers already registered.
    const key = `${school.county}${birth}${gender}`;
    const serial = (serials.get(key) ?? 0) + 1;
    serials.set(key, serial);
    const first17 = `${school.county}${birth.replace(/-/g, '')}${pad(600 + (serial - 1) * 2 + (gender === 1 ? 1 : 0), 3)}`;
    const values: Record<string, string> = {
      姓名: `${pick(random, ['王', '李', '张', '刘', '陈'])}${pick(random, ['芳', '伟', '敏', '磊', '静', '杰'])}${n}`,
      性别: gender === 1 ? '男' : '女',
      出生日期: birth,
      身份证件类型: '1',
      身份证件号: first17 + residentIdCheckCharacter(first17),
      民族: '汉族',
      政治面貌: pick(random, ['群众', '中国共产党党员']),
      学历: pick(random, ['大学本科毕业', '21', '硕士研究生毕业']),
      教职工类别: '专任教师',
      是否在编: random() < 0.85 ? '是' : '否',
      用人形式: '聘用制',
      参加工作年月: `${year + 22}-09`,
      进本校年月: `${year + 24}-09`,
      任教学科: pick(random, ['语文', '数学', '英语', '物理']),
      专业技术职务: pick(random, ['一级教师', '二级教师', 'senior']),
      学校标识码: school.id,
    };
    rows.push(IMPORT_COLUMNS.map((c) => values[c.heading] ?? ''));
  }
  return rows;
}

const toCsv = (rows: string[][]) => [IMPORT_COLUMNS.map((c) => c.heading), ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

/** The import service in-process, files of MAX_IMPORT_ROWS each in its own transaction (the earlier measurement). */
async function importViaService(rows: string[][], db: ReturnType<typeof createDb>, log: (line: string) => void): Promise<number> {
  const files: { name: string; base64: string; bytes: number }[] = [];
  for (let i = 0; i < rows.length; i += MAX_IMPORT_ROWS) {
    const csv = Buffer.from(toCsv(rows.slice(i, i + MAX_IMPORT_ROWS)), 'utf8');
    files.push({ name: `teachers-${files.length + 1}.csv`, base64: csv.toString('base64'), bytes: csv.length });
  }
  log(`${files.length} CSV file(s), ${(files.reduce((s, f) => s + f.bytes, 0) / 1e6).toFixed(1)} MB`);
  const viewer: Viewer = { subject: 'bench-import', role: 'national_info_admin', orgId: 'CN', orgPath: '/CN/', scopes: [] };
  const phase = async (label: string, dryRun: boolean) => {
    const started = performance.now();
    let created = 0;
    let problems = 0;
    for (const file of files) {
      const result = (await importTeachers(db, viewer, { fileName: file.name, contentBase64: file.base64, dryRun })) as { createdCount?: number; problems?: unknown[]; errors?: unknown[] };
      created += result.createdCount ?? 0;
      problems += result.problems?.length ?? 0;
      if (result.problems?.length || (result.errors && result.errors.length)) log(`  ${file.name}: ${JSON.stringify(result.problems?.slice(0, 3) ?? result.errors)}`);
    }
    const ms = performance.now() - started;
    log(`${label}: ${(ms / 1000).toFixed(1)} s = ${Math.round(ROWS / (ms / 1000)).toLocaleString('en')} rows/s (created ${created.toLocaleString('en')}, problems ${problems})`);
    return ms;
  };
  await phase('dry run (every row checked, nothing stored)', true);
  const importMs = await phase('real import', false);
  await phase('the same files again (recognised, nothing changed)', false);
  return importMs;
}

const SECRETS = { jwt: 'bench-import-jwt-secret-0123456789abcdefghij', internal: 'bench-import-internal-secret-0123456789abcd' };
const PORT_BASE = 4800;

/** Peak resident memory (VmHWM) of a process, MB. */
function peakMemoryMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The way a school does it: the whole file in one upload through the gateway, then import jobs
 * started and followed over GraphQL. Subgraphs and gateway run as their own processes.
 */
async function importViaApi(rows: string[][], schemas: Record<string, string>, log: (line: string) => void): Promise<number> {
  if (rows.length > MAX_UPLOAD_ROWS) throw new Error(`--via api takes at most ${MAX_UPLOAD_ROWS} rows in one file`);
  const file = Buffer.from(toCsv(rows), 'utf8');
  log(`one CSV file of ${rows.length.toLocaleString('en')} rows, ${(file.length / 1e6).toFixed(1)} MB`);
  const logDir = mkdtempSync(join(tmpdir(), 'bench-import-logs-'));
  const urls = Object.fromEntries(SUBGRAPHS.map((s, i) => [s.name, `http://127.0.0.1:${PORT_BASE + 1 + i}/graphql`]));
  const subgraphUrls = Object.entries(urls).map(([n, u]) => `${n}=${u}`).join(',');
  const common = {
    DATABASE_URL: url,
    INTERNAL_IDENTITY_SECRET: SECRETS.internal,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    SUBGRAPH_URLS: subgraphUrls,
    // The 300,000 events the import announces are delivered later; the service-direct run did not deliver them either.
    EVENT_RELAY_INTERVAL_MS: '3600000',
    ...Object.fromEntries(SUBGRAPHS.map((s) => [`${envPrefix(s.name)}DATABASE_SCHEMA`, schemas[s.name]])),
  };
  const children: Child[] = [];
  try {
    const heap = values['registry-heap-mb'] ? { NODE_OPTIONS: `--max-old-space-size=${Number(values['registry-heap-mb'])}` } : {};
    if (values['registry-heap-mb']) log(`teacher-registry heap capped at ${Number(values['registry-heap-mb'])} MB`);
    const subgraphs = SUBGRAPHS.map((s, i) =>
      startChild(s.name, `subgraphs/${s.name}/src/main.ts`, { ...common, ...(s.name === 'teacher-registry' ? heap : {}), [`${envPrefix(s.name)}PORT`]: String(PORT_BASE + 1 + i) }, logDir),
    );
    children.push(...subgraphs);
    await Promise.all(subgraphs.map((child) => waitFor(child, async () => (await fetch(new URL('/health', urls[child.name]), { signal: AbortSignal.timeout(2000) })).ok)));
    // The bench's token names no account row (REQUIRE_ACCOUNT is on in production).
    const gateway = startChild('gateway', 'gateway/src/main.ts', { ...common, PORT: String(PORT_BASE), JWT_SECRET: SECRETS.jwt, REQUIRE_ACCOUNT: 'false' }, logDir);
    children.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${PORT_BASE}`;
    await waitFor(gateway, async () => (await fetch(`${gatewayUrl}/ready`, { signal: AbortSignal.timeout(5000) })).ok);
    const token = await mintToken(
      { sub: 'bench-import', role: 'national_info_admin', org: 'CN', org_path: '/CN/' },
      { secret: SECRETS.jwt, issuer: 'teacher-platform', audience: 'teacher-platform', expiresIn: '2h' },
    );
    const graphql = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
      if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as Record<string, any>;
    };
    const rate = (ms: number) => `${(ms / 1000).toFixed(1)} s = ${Math.round(rows.length / (ms / 1000)).toLocaleString('en')} rows/s`;

    let started = performance.now();
    const response = await fetch(`${gatewayUrl}/uploads/teacher-import?fileName=${encodeURIComponent('全国教师导入.csv')}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
      body: file,
    });
    const uploaded = (await response.json()) as { uploadId?: string };
    if (response.status !== 201 || !uploaded.uploadId) throw new Error(`upload refused: HTTP ${response.status} ${JSON.stringify(uploaded)}`);
    log(`upload (one request, streamed to the registry, stored in chunks): ${rate(performance.now() - started)}, ${(file.length / 1e6 / ((performance.now() - started) / 1000)).toFixed(1)} MB/s`);

    const JOB = 'id status rowCount processedRows createdCount unchangedCount alreadyImported problemCount problems { row column reason } failure';
    const job = async (label: string, dryRun: boolean) => {
      started = performance.now();
      const payload = (await graphql(`mutation($input: ImportTeachersFromUploadInput!) { importTeachersFromUpload(input: $input) { job { id } errors { code message } } }`, { input: { uploadId: uploaded.uploadId, dryRun } }))
        .importTeachersFromUpload;
      if (payload.errors.length) throw new Error(`${label}: ${JSON.stringify(payload.errors)}`);
      let state: Record<string, any>;
      for (;;) {
        state = (await graphql(`query($id: ID!) { teacherImport(id: $id) { ${JOB} } }`, { id: payload.job.id })).teacherImport;
        if (state.status !== 'QUEUED' && state.status !== 'RUNNING') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const ms = performance.now() - started;
      log(`${label}: ${rate(ms)} (${state.status}, created ${state.createdCount.toLocaleString('en')}, already imported ${state.alreadyImported}, problems ${state.problemCount}${state.failure ? `, ${state.failure}` : ''})`);
      if (state.problemCount) log(`  first problems: ${JSON.stringify(state.problems.slice(0, 3))}`);
      return ms;
    };
    await job('dry run (every row checked, nothing stored)', true);
    const importMs = await job('real import (one transaction for the whole file)', false);
    await job('the same upload again (recognised by its hash, nothing changed)', false);
    const registry = subgraphs.find((c) => c.name === 'teacher-registry');
    log(`peak resident memory (VmHWM): gateway ${peakMemoryMb(gateway.process.pid).toFixed(0)} MB, teacher-registry ${peakMemoryMb(registry?.process.pid).toFixed(0)} MB`);
    return importMs;
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    rmSync(logDir, { recursive: true, force: true });
  }
}

async function main() {
  const suffix = `imp${Date.now().toString(36)}`;
  const schemas = schemaNames(suffix);
  const rawSuffix = `${suffix}raw`;
  const log = (line: string) => console.log(line);
  log(`bench:import --via ${VIA} ${new Date().toISOString()}, ${ROWS.toLocaleString('en')} rows, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // A national tree with a few teachers already registered, so lookups meet real data.
  await generate({ databaseUrl: url, teachers: 20_000, seed: 1, schemaSuffix: suffix, reset: true });
  const db = createDb({ url, schema: schemas['teacher-registry'] as string, poolMax: 4, statementTimeoutMs: 0, applicationName: 'bench-import' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  try {
    const schools: { id: string; county: string }[] = (
      await db.knex.raw(`select id, split_part(rtrim(path, '/'), '/', -2) as county from ${db.t('org_unit')} where level = 'school' order by id`)
    ).rows;
    const rows = buildRows(schools);
    const before = (await db.knex.raw(`select (select count(*) from ${db.t('teacher')})::int as t, (select coalesce(max(id), 0) from ${db.t('teacher_change_log')})::bigint as log`)).rows[0];
    const importMs = VIA === 'api' ? await importViaApi(rows, schemas, log) : await importViaService(rows, db, log);

    // Raw COPY of what the import wrote (archives, history, outbox), into a fresh identical schema.
    const tables: [string, string][] = [
      ['teacher', `select * from ${db.t('teacher')} where id not in (select id from ${db.t('teacher')} order by created_at limit ${Number(before.t)})`],
      ['teacher_change_log', `select * from ${db.t('teacher_change_log')} where id > ${Number(before.log)}`],
      ['outbox', `select * from ${db.t('outbox')}`],
    ];
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rawDb = createDb({ url, schema: `teacher_registry_${rawSuffix}`, poolMax: 2, statementTimeoutMs: 0, applicationName: 'bench-import' });
    try {
      const counts: Record<string, number> = {};
      for (const [table, query] of tables) {
        counts[table] = (await client.query(`select count(*)::int as n from (${query}) q`)).rows[0].n;
        await pipeline(client.query(copyTo(`COPY (${query}) TO STDOUT`)), createWriteStream(join(dir, table)));
      }
      await migrateLatest(rawDb, teacherRegistry.migrations);
      // The schools the rows refer to.
      await client.query(`insert into "${rawDb.schema}".org_unit select * from ${db.t('org_unit')} order by path`);
      const started = performance.now();
      await client.query('BEGIN');
      for (const [table] of tables) await pipeline(createReadStream(join(dir, table)), client.query(copyFrom(`COPY "${rawDb.schema}".${table} FROM STDIN`)));
      await client.query('COMMIT');
      const rawMs = performance.now() - started;
      const total = Object.values(counts).reduce((s, n) => s + n, 0);
      log(`raw COPY of the same rows (${Object.entries(counts).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}): ${(rawMs / 1000).toFixed(1)} s = ${Math.round(total / (rawMs / 1000)).toLocaleString('en')} rows/s, ${Math.round(ROWS / (rawMs / 1000)).toLocaleString('en')} teachers/s`);
      log(`import / raw COPY = ${(importMs / rawMs).toFixed(1)}; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
    } finally {
      await client.query(`drop schema if exists "${rawDb.schema}" cascade`).catch(() => undefined);
      await client.end();
      await rawDb.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.destroy();
    if (!values.keep) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const schema of Object.values(schemas)) await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
