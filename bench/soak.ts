import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { mintToken } from '../gateway/src/auth';
import { envPrefix } from '../subgraphs/shared/src/config';
import { createDb, dropSchema, migrateLatest, type Db } from '../subgraphs/shared/src/db';
import { buildDemoDataset } from '../subgraphs/shared/src/demo/dataset';
import { SUBGRAPHS } from '../subgraphs';
import { buildResidentId } from '../subgraphs/teacher-registry/src/domain/resident-id';
import { checkInvariants, type PlatformDbs } from '../tests/reliability/invariants';
import { REPO_ROOT } from './gateway/operations';
import { residentMemory, startChild, stopChild, waitFor, type Child } from './gateway/processes';

/**
 * Soak (issue #10, item 6): mixed reads and writes through the gateway at a fixed rate for a fixed
 * time, on real PostgreSQL (database `bench`, never `test`), with one subgraph restarted midway.
 * Afterwards it counts the writes the gateway acknowledged against the rows in the database (zero
 * lost), checks that every event reached every consumer and that the data reconciles, and reports
 * error rate, latency and memory samples of every process.
 *
 *   npm run soak -- --minutes 10 --rate 20 [--restart teacher-registry] [--write-share 0.2]
 *
 * Every service runs as its own process (as in production) in fresh schemas, dropped at the end
 * unless --keep.
 */
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
    restart: { type: 'string', default: 'teacher-registry' },
    'write-share': { type: 'string', default: '0.2' },
    'database-url': { type: 'string', default: process.env.SOAK_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const writeShare = Number(args['write-share']);
const databaseUrl = args['database-url']!;
const restartName = args.restart!;
if (!(minutes > 0) || !(rate > 0) || !(writeShare >= 0 && writeShare <= 1)) throw new Error('--minutes and --rate must be positive, --write-share between 0 and 1');
if (!SUBGRAPHS.some((s) => s.name === restartName)) throw new Error(`--restart must name a subgraph: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
const databaseName = new URL(databaseUrl).pathname.slice(1);
if (databaseName === 'test') throw new Error('The soak never runs on the `test` database: other work uses it. Use `bench`.');

const log = (message: string) => process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function ensureDatabase(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: { connectionString: databaseUrl.replace(/\/[^/?]*(\?|$)/, '/postgres$1') } });
  try {
    const { rows } = await admin.raw('select 1 from pg_database where datname = ?', [databaseName]);
    if (!rows.length) {
      log(`creating database ${databaseName}`);
      await admin.raw('create database ??', [databaseName]);
    }
  } finally {
    await admin.destroy();
  }
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Sample {
  at: number;
  kind: 'read' | 'write';
  ms: number;
  ok: boolean;
  error?: string;
}

const percentile = (values: number[], p: number) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function main(): Promise<void> {
  await ensureDatabase();
  const suffix = `soak_${randomBytes(3).toString('hex')}`;
  const logDir = resolve(REPO_ROOT, '.data', 'soak', suffix);
  mkdirSync(logDir, { recursive: true });
  const jwtSecret = randomBytes(24).toString('hex');
  const internalSecret = randomBytes(24).toString('hex');
  const ports: Record<string, number> = {};
  for (const s of SUBGRAPHS) ports[s.name] = await freePort();
  const gatewayPort = await freePort();
  const subgraphUrls = SUBGRAPHS.map((s) => `${s.name}=http://127.0.0.1:${ports[s.name]}/graphql`).join(',');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    // The soak's tokens name no account row (REQUIRE_ACCOUNT is on in production).
    REQUIRE_ACCOUNT: 'false',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '8',
    INTERNAL_IDENTITY_SECRET: internalSecret,
    JWT_SECRET: jwtSecret,
    SUBGRAPH_URLS: subgraphUrls,
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    PLAYGROUND: 'false',
  };
  const dbs: Record<string, Db> = {};
  for (const s of SUBGRAPHS) {
    env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = `${s.name.replace(/-/g, '_')}_${suffix}`;
    env[`${envPrefix(s.name)}PORT`] = String(ports[s.name]);
    dbs[s.name] = createDb({ url: databaseUrl, schema: env[`${envPrefix(s.name)}DATABASE_SCHEMA`]!, poolMax: 2, statementTimeoutMs: 60000, applicationName: 'soak-check' });
  }
  const platformDbs: PlatformDbs = { registry: dbs['teacher-registry']!, training: dbs.training!, staffing: dbs['staffing-quota']!, evaluation: dbs.evaluation! };

  log(`schemas *_${suffix} in ${databaseName}: migrating and loading the demo data`);
  const dataset = buildDemoDataset();
  for (const s of SUBGRAPHS) {
    await migrateLatest(dbs[s.name]!, s.migrations);
    await s.seedDemo(dbs[s.name]!, dataset);
  }

  const children = new Map<string, Child>();
  const startSubgraph = async (name: string) => {
    const child = startChild(name, `subgraphs/${name}/src/main.ts`, env, logDir);
    children.set(name, child);
    await waitFor(child, async () => (await fetch(`http://127.0.0.1:${ports[name]}/health`)).ok);
  };
  for (const s of SUBGRAPHS) await startSubgraph(s.name);
  const gateway = startChild('gateway', 'gateway/src/main.ts', { ...env, PORT: String(gatewayPort) }, logDir);
  children.set('gateway', gateway);
  await waitFor(gateway, async () => (await fetch(`http://127.0.0.1:${gatewayPort}/ready`)).ok);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  log(`platform up (logs in ${logDir}); ${minutes} min at ${rate} req/s, ${Math.round(writeShare * 100)} % writes, restarting ${restartName} midway`);

  const sign = (role: string, org: string, path: string) =>
    mintToken({ sub: `soak-${role}`, role: role as never, org, org_path: path }, { secret: jwtSecret, issuer: 'teacher-platform', audience: 'teacher-platform', expiresIn: '2h' });
  const orgPath = (id: string) => dataset.orgUnits.find((o) => o.id === id)!.path;
  const writer = await sign('school_info_admin', '1142000101', orgPath('1142000101'));
  const reader = await sign('county_query', '420111', orgPath('420111'));
  const national = await sign('national_query', 'CN', '/CN/');
  const sampleTeachers = dataset.teachers.filter((t) => t.orgPath.includes('/420111/')).slice(0, 20).map((t) => t.id);
  const READS = [
    { token: reader, query: '{ teachers(first: 10) { totalCount nodes { name school { name } trainingProgress { completedHours } employments { onQuota } annualAssessments { year grade } } } }' },
    { token: national, query: `{ orgUnit(id: "420000") { name staffingQuota(year: ${new Date().getUTCFullYear()}) { approved occupied balance } } }` },
    { token: reader, query: 'query($id: ID!) { teacher(id: $id) { name creditBalance { trainingCredits reconciles } employments { onQuota } } }', teacher: true },
  ];

  const samples: Sample[] = [];
  const acknowledged = new Set<string>();
  const memory: { at: number; rssMb: Record<string, number> }[] = [];
  let sequence = 0;
  let inFlight = 0;
  const started = Date.now();
  const durationMs = minutes * 60_000;

  const send = async (kind: 'read' | 'write') => {
    const at = Date.now();
    inFlight += 1;
    let body: string;
    let token: string;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (kind === 'write') {
      sequence += 1;
      const birthDate = `200${sequence % 5}-${String(1 + (sequence % 12)).padStart(2, '0')}-${String(1 + (sequence % 28)).padStart(2, '0')}`;
      token = writer;
      headers['idempotency-key'] = `soak-${suffix}-${sequence}`;
      body = JSON.stringify({
        query: 'mutation($input: RegisterTeacherInput!) { registerTeacher(input: $input) { teacher { id } errors { code message } } }',
        variables: {
          input: {
            name: `耐久${sequence}`, gender: 'FEMALE', birthDate, idDocumentType: '1',
            idDocumentNumber: buildResidentId('420111', birthDate, sequence % 1000, 2),
            ethnicity: '01', politicalAffiliation: '13', educationLevel: '21', staffCategory: '1', onQuota: false, employmentForm: '1',
            startedWorkOn: '2024-09-01', joinedSchoolOn: '2025-09-01', subject: '数学', schoolId: '1142000101',
          },
        },
      });
    } else {
      const read = READS[sequence % READS.length]!;
      sequence += 1;
      token = read.token;
      body = JSON.stringify({ query: read.query, variables: read.teacher ? { id: sampleTeachers[sequence % sampleTeachers.length] } : undefined });
    }
    headers.authorization = `Bearer ${token}`;
    let ok = false;
    let error: string | undefined;
    try {
      const response = await fetch(gatewayUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
      const json = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
      if (json.errors?.length) error = `${json.errors[0]!.extensions?.code ?? 'ERROR'}`;
      else if (kind === 'write') {
        const payload = json.data?.registerTeacher;
        if (payload?.errors?.length) error = `user:${payload.errors[0].code}`;
        else if (payload?.teacher?.id) {
          acknowledged.add(payload.teacher.id);
          ok = true;
        } else error = 'no teacher';
      } else ok = response.ok;
      if (!ok && !error) error = `HTTP ${response.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'client timeout' : 'connection';
    } finally {
      inFlight -= 1;
    }
    samples.push({ at: at - started, kind, ms: Date.now() - at, ok, error });
  };

  // Memory of every process every 10 s.
  const sampleMemory = () => {
    const rssMb: Record<string, number> = {};
    for (const [name, child] of children) {
      if (child.process.pid && child.process.exitCode === null) rssMb[name] = Math.round(residentMemory(child.process.pid).reduce((sum, p) => sum + p.rssMb, 0));
    }
    memory.push({ at: Date.now() - started, rssMb });
  };
  sampleMemory();
  const memoryTimer = setInterval(sampleMemory, 10_000);

  // Open loop at a fixed rate: requests go out on schedule whether or not earlier ones answered.
  let restartDone: Promise<void> | null = null;
  let restartWindow: { from: number; to: number } | null = null;
  const intervalMs = 1000 / rate;
  let sent = 0;
  let writesBudget = 0;
  let reportedMinutes = 0;
  await new Promise<void>((resolveLoop) => {
    const tick = () => {
      const elapsed = Date.now() - started;
      if (elapsed >= durationMs) return resolveLoop();
      while (sent < Math.floor(elapsed / intervalMs) + 1) {
        sent += 1;
        writesBudget += writeShare;
        const kind = writesBudget >= 1 ? 'write' : 'read';
        if (kind === 'write') writesBudget -= 1;
        void send(kind);
      }
      if (!restartDone && elapsed >= durationMs / 2) {
        restartDone = (async () => {
          const from = Date.now() - started;
          log(`restarting ${restartName} (SIGTERM, then a new process)`);
          await stopChild(children.get(restartName)!);
          const stoppedAt = Date.now() - started;
          await startSubgraph(restartName);
          restartWindow = { from, to: Date.now() - started };
          log(`${restartName} stopped in ${((stoppedAt - from) / 1000).toFixed(1)} s (draining in-flight requests), answering again ${((restartWindow.to - stoppedAt) / 1000).toFixed(1)} s later`);
        })();
      }
      if (Math.floor(elapsed / 60_000) > reportedMinutes) {
        reportedMinutes = Math.floor(elapsed / 60_000);
        const last = samples.filter((s) => s.at > elapsed - 60_000);
        log(`${Math.round(elapsed / 60_000)} min: ${last.length} answers in the last minute, ${last.filter((s) => !s.ok).length} errors, ${inFlight} in flight`);
      }
      setTimeout(tick, Math.max(1, intervalMs / 2));
    };
    tick();
  });
  await restartDone;
  await waitUntil(() => inFlight === 0, 35_000);
  clearInterval(memoryTimer);
  sampleMemory();
  log(`traffic done: ${samples.length} requests; waiting for the outboxes to drain`);

  // Every event delivered (the relays retry with backoff), then count and reconcile.
  const pendingEvents = async () => {
    let pending = 0;
    for (const db of Object.values(dbs)) pending += Number((await db.knex(db.t('outbox')).whereNull('delivered_at').count('* as n'))[0]!.n);
    return pending;
  };
  const drained = await waitUntil(async () => (await pendingEvents()) === 0, 120_000);
  const registry = platformDbs.registry;
  const stored = (await registry.knex(registry.t('teacher')).where('name', 'like', '耐久%').pluck('id')) as string[];
  const storedSet = new Set(stored);
  const lost = [...acknowledged].filter((id) => !storedSet.has(id));
  const unacknowledgedStored = stored.filter((id) => !acknowledged.has(id)).length;
  const projectionGaps: Record<string, number> = {};
  for (const name of ['training', 'staffing-quota', 'evaluation']) {
    const db = dbs[name]!;
    const have = Number((await db.knex(db.t('teacher_scope')).whereIn('teacher_id', stored).count('* as n'))[0]!.n);
    projectionGaps[name] = stored.length - have;
  }
  const invariants = await checkInvariants(platformDbs, { requireDrained: true });

  const reads = samples.filter((s) => s.kind === 'read');
  const writes = samples.filter((s) => s.kind === 'write');
  const errorsByKind: Record<string, number> = {};
  for (const s of samples) if (!s.ok) errorsByKind[`${s.kind} ${s.error}`] = (errorsByKind[`${s.kind} ${s.error}`] ?? 0) + 1;
  const inRestart = (s: Sample) => restartWindow !== null && s.at >= (restartWindow as { from: number }).from - 1000 && s.at <= (restartWindow as { to: number }).to + 5000;
  const memoryBy = (name: string) => memory.map((m) => m.rssMb[name]).filter((v): v is number => v !== undefined);
  const firstMinute = (name: string) => memory.filter((m) => m.at <= 90_000 && m.at >= 20_000).map((m) => m.rssMb[name]).filter((v): v is number => v !== undefined);
  const lastMinute = (name: string) => memory.filter((m) => m.at >= durationMs - 60_000).map((m) => m.rssMb[name]).filter((v): v is number => v !== undefined);
  const avg = (values: number[]) => (values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : 0);
  const report = {
    database: databaseName,
    minutes,
    rate,
    writeShare,
    restarted: restartName,
    restartWindowSeconds: restartWindow ? [(restartWindow as { from: number }).from / 1000, (restartWindow as { to: number }).to / 1000] : null,
    requests: samples.length,
    achievedRate: Math.round((samples.length / (durationMs / 1000)) * 10) / 10,
    errorRate: Math.round((samples.filter((s) => !s.ok).length / samples.length) * 10000) / 100,
    errorRateOutsideRestart: Math.round((samples.filter((s) => !s.ok && !inRestart(s)).length / Math.max(1, samples.filter((s) => !inRestart(s)).length)) * 10000) / 100,
    errorsByKind,
    latencyMs: {
      read: { p50: percentile(reads.map((s) => s.ms), 50), p95: percentile(reads.map((s) => s.ms), 95), p99: percentile(reads.map((s) => s.ms), 99), max: percentile(reads.map((s) => s.ms), 100) },
      write: { p50: percentile(writes.map((s) => s.ms), 50), p95: percentile(writes.map((s) => s.ms), 95), p99: percentile(writes.map((s) => s.ms), 99), max: percentile(writes.map((s) => s.ms), 100) },
    },
    writes: { sent: writes.length, acknowledged: acknowledged.size, storedRows: stored.length, lost: lost.length, storedButNotAcknowledged: unacknowledgedStored },
    eventsDrained: drained,
    projectionGaps,
    invariantViolations: invariants,
    memoryMb: Object.fromEntries(
      [...children.keys()].map((name) => [name, { firstMinuteAvg: avg(firstMinute(name)), lastMinuteAvg: avg(lastMinute(name)), min: Math.min(...memoryBy(name)), max: Math.max(...memoryBy(name)) }]),
    ),
    memorySamples: memory,
  };
  const { memorySamples: _samples, ...summary } = report;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const out = args.out ?? resolve(logDir, 'report.json');
  writeFileSync(out, JSON.stringify(report, null, 2));
  log(`full report with memory samples: ${out}`);

  for (const child of [...children.values()].reverse()) await stopChild(child);
  if (!args.keep) for (const db of Object.values(dbs)) await dropSchema(db);
  for (const db of Object.values(dbs)) await db.destroy();
  const failed = lost.length > 0 || invariants.length > 0 || !drained || Object.values(projectionGaps).some((gap) => gap !== 0);
  log(failed ? 'FAILED: writes lost or data does not reconcile' : 'zero lost writes; every event delivered; data reconciles');
  process.exit(failed ? 1 : 0);
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
