import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { mintToken } from '../../gateway/src/auth';
import { startPlatform } from '../../gateway/src/platform';
import { envPrefix } from '../../subgraphs/shared/src/config';
import { signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../../subgraphs';
import { countStatementsPerRequest, type StatementCounts } from '../statements';
import { bodyFactory, EXPECTED_NODES, REPO_ROOT, SCENARIOS, type Scenario } from './operations';
import { cpuSeconds, residentMemory, startChild, stopChild, waitFor, type Child } from './processes';

/**
 * `npm run bench:gateway`: our gateway against Hive Gateway and a stock @apollo/gateway, on the same
 * subgraph processes and the same PostgreSQL database (`bench`, never `test`). The gateways take
 * turns in short rounds, in a rotating order, so background load from other work on the machine
 * hits all of them alike. See docs/benchmarks.md, "Gateway".
 */
const HELP = `Usage: npm run bench:gateway -- [options]

  --duration <s>      measured seconds per gateway, scenario and round (default 10)
  --warmup <s>        unmeasured seconds before each measurement (default 3)
  --concurrency <n>   connections kept busy (default 8)
  --rounds <n>        rounds; each round runs every gateway on every scenario (default 3)
  --gateways <list>   any of ours,hive,stock (default all three)
  --scenarios <list>  any of dossier,list50 (default both)
  --workers <n>       GATEWAY_WORKERS for our gateway (default: its own default, 1); with more
                      than one, the workers share limits and idempotency keys through --redis-url
  --redis-url <u>     Redis for our gateway's workers (default redis://127.0.0.1:6379/7)
  --soak <s>          instead of the comparison: drive our gateway alone for this long, both
                      scenarios alternating, and sample its memory every 5 s (issue 9 item 6):
                      resident memory per process and, from its /metrics, V8 heap and external memory
  --minutes <m>       the same soak, given in minutes (--minutes 10 is --soak 600)
  --pin               pin every gateway to CPU 0 and the subgraphs and this load generator to CPU 1
                      (taskset; PostgreSQL and other work still float), so the gateway's own
                      throughput shows instead of its share of two busy cores
  --node-args=<a>     extra Node arguments for our gateway, e.g. --node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --subgraph-node-args=<a>
                      extra Node arguments for the four subgraph processes (the same for all),
                      e.g. --subgraph-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof-subgraphs"
  --schema-suffix <s> use the data set of \`npm run generate -- --schema-suffix <s>\` (schemas
                      teacher_registry_<s>, …) instead of the demo data in the default schemas
  --database-url <u>  PostgreSQL for the subgraphs (default postgres://postgres@127.0.0.1:5432/bench)
  --help
`;

type GatewayName = 'ours' | 'hive' | 'stock';
const ALL_GATEWAYS: GatewayName[] = ['ours', 'hive', 'stock'];
const PORTS = { subgraphBase: 4700, ours: 4710, hive: 4720, stock: 4730 };

function parseOptions() {
  return parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      gateways: { type: 'string', default: ALL_GATEWAYS.join(',') },
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      workers: { type: 'string' },
      soak: { type: 'string' },
      minutes: { type: 'string' },
      pin: { type: 'boolean', default: false },
      'node-args': { type: 'string' },
      'subgraph-node-args': { type: 'string' },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/7' },
      'schema-suffix': { type: 'string' },
      'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/bench' },
      help: { type: 'boolean', default: false },
    },
  });
}

function fail(message: string): never {
  process.stderr.write(`bench:gateway: ${message}\n\n${HELP}`);
  process.exit(2);
}
let parsed: ReturnType<typeof parseOptions>;
try {
  parsed = parseOptions();
} catch (error) {
  // An unknown option or a missing value: the one clear line and the usage, not a stack.
  fail(error instanceof Error ? error.message : String(error));
}
const args = parsed.values;

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number (got "${value}")`);
  return n;
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const duration = positive('duration', args.duration);
const warmup = Number(args.warmup ?? 0);
const concurrency = Math.round(positive('concurrency', args.concurrency));
const rounds = Math.round(positive('rounds', args.rounds));
if (args.soak !== undefined && args.minutes !== undefined) fail('--soak and --minutes are the same setting; give one');
const soakSeconds = args.minutes !== undefined ? positive('minutes', args.minutes) * 60 : args.soak === undefined ? null : positive('soak', args.soak);
const gateways = (soakSeconds ? 'ours' : (args.gateways ?? '')).split(',').filter(Boolean) as GatewayName[];
for (const g of gateways) if (!ALL_GATEWAYS.includes(g)) fail(`--gateways: unknown gateway "${g}" (ours, hive, stock)`);
const scenarios = (args.scenarios ?? '').split(',').filter(Boolean) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) fail(`--scenarios: unknown scenario "${s}" (dossier, list50)`);
const databaseUrl = args['database-url'] ?? '';
const databaseName = new URL(databaseUrl).pathname.slice(1);
const schemaSuffix = args['schema-suffix'];
if (schemaSuffix !== undefined && !/^[a-z0-9_]{1,20}$/.test(schemaSuffix)) fail('--schema-suffix: lower-case letters, digits and _ (as given to npm run generate)');
const schemaOf = (subgraph: string) => `${subgraph.replace(/-/g, '_')}${schemaSuffix ? `_${schemaSuffix}` : ''}`;
/** Per-subgraph schema settings for a generated data set (none for the demo data). */
const schemaEnv: Record<string, string> = schemaSuffix
  ? Object.fromEntries(SUBGRAPHS.map((s) => [`${envPrefix(s.name)}DATABASE_SCHEMA`, schemaOf(s.name)]))
  : {};
if (databaseName === 'test') fail('--database-url: the test database is for the tests; use a database of its own (bench)');
if (args.workers !== undefined) positive('workers', args.workers);

/** With --pin: the CPUs (taskset lists) of the gateways and of everything else the benchmark starts. */
const pinning = args.pin ? { gateway: '0', rest: '1' } : null;
if (pinning) {
  if (cpus().length < 2) fail('--pin needs at least two CPUs');
  const self = spawnSync('taskset', ['-pc', pinning.rest, String(process.pid)], { encoding: 'utf8' });
  if (self.status !== 0) fail(`--pin: taskset is not available or refused (${(self.stderr || self.error?.message || '').trim()})`);
}

const logDir = resolve(tmpdir(), `bench-gateway-${Date.now()}`);
mkdirSync(logDir, { recursive: true });
const children: Child[] = [];
const subgraphPids: number[] = [];
const jwtSecret = randomBytes(32).toString('hex');
const internalIdentitySecret = randomBytes(32).toString('hex');

function say(line: string) {
  process.stdout.write(`${line}\n`);
}
function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

async function ensureDatabase(): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (exists.rowCount === 0) {
      say(`creating database ${databaseName}`);
      await client.query(`create database "${databaseName.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Migrations and, on an empty database, the demo data (a generated national data set is kept as it is). */
/**
 * Migrations and, on an empty database, the demo data (a generated data set is used as it is); then
 * the SQL statements per request, counted in-process on every subgraph's connection pool
 * (bench/statements.ts), and the sorted teacher ids the random requests draw from.
 */
async function prepareData(): Promise<{ teacherIds: string[]; statements: StatementCounts | null }> {
  const platform = await startPlatform({
    env: {
      DATABASE_URL: databaseUrl,
      JWT_SECRET: jwtSecret,
      INTERNAL_IDENTITY_SECRET: internalIdentitySecret,
      LOG_LEVEL: 'warn',
      EVENT_RELAY_INTERVAL_MS: '60000',
      RATE_LIMIT_USER_PER_MINUTE: '100000000',
      RATE_LIMIT_CLIENT_PER_MINUTE: '100000000',
      ...schemaEnv,
    },
    seedDemo: !schemaSuffix,
    ephemeralPorts: true,
  });
  let statements: StatementCounts | null = null;
  try {
    const creds = await credentials();
    statements = await countStatementsPerRequest({
      graphql: async (token, query, variables) => {
        const response = await fetch(platform.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { errors?: unknown[]; data?: unknown };
      },
      knexes: platform.subgraphs.map((s) => s.db.knex),
      listToken: creds.adminBearer,
      partnerToken: creds.partnerBearer,
      orgUnitId: 'CN',
    });
  } catch (error) {
    say(`SQL statements per request: not counted (${error instanceof Error ? error.message.slice(0, 200) : String(error)})`);
  } finally {
    await platform.stop();
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ id: string }>(`select id from "${schemaOf('teacher-registry')}".teacher order by id`);
    return { teacherIds: rows.rows.map((r) => r.id), statements };
  } finally {
    await client.end();
  }
}

async function startSubgraphs(): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  const env = {
    DATABASE_URL: databaseUrl,
    INTERNAL_IDENTITY_SECRET: internalIdentitySecret,
    NODE_ENV: 'production',
    MIGRATE_ON_START: 'false',
    // One log line per operation in every subgraph would compete with the gateways for the CPU;
    // the same setting serves all three gateways.
    LOG_LEVEL: 'warn',
    // Events are not part of this load; keep the relays quiet.
    EVENT_RELAY_INTERVAL_MS: '60000',
    ...schemaEnv,
  };
  SUBGRAPHS.forEach((definition, i) => {
    urls[definition.name] = `http://127.0.0.1:${PORTS.subgraphBase + 1 + i}/graphql`;
  });
  const subgraphUrls = Object.entries(urls)
    .map(([n, u]) => `${n}=${u}`)
    .join(',');
  const started = SUBGRAPHS.map((definition, i) => {
    const child = startChild(
      definition.name,
      `subgraphs/${definition.name}/src/main.ts`,
      { ...env, [`${envPrefix(definition.name)}PORT`]: String(PORTS.subgraphBase + 1 + i), SUBGRAPH_URLS: subgraphUrls },
      logDir,
      (args['subgraph-node-args'] ?? '').split(' ').filter(Boolean),
      pinning?.rest,
    );
    children.push(child);
    subgraphPids.push(child.process.pid ?? 0);
    return child;
  });
  await Promise.all(
    started.map((child) =>
      waitFor(child, async () => (await fetch(new URL('/health', urls[child.name]), { signal: AbortSignal.timeout(2000) })).ok),
    ),
  );
  return urls;
}

interface Credentials {
  partnerBearer: string;
  adminBearer: string;
  partnerIdentity: string;
  adminIdentity: string;
}

async function credentials(): Promise<Credentials> {
  const jwt = { secret: jwtSecret, issuer: 'teacher-platform', audience: 'teacher-platform', expiresIn: '12h' };
  const partner: Viewer = { subject: 'bench-partner', role: 'partner', orgId: 'CN', orgPath: '/CN/', clientId: 'demo-partner', scopes: ['dossier:read', 'org:read'] };
  const admin: Viewer = { subject: 'bench-admin', role: 'national_info_admin', orgId: 'CN', orgPath: '/CN/', scopes: [] };
  return {
    partnerBearer: await mintToken({ sub: partner.subject, role: 'partner', org: 'CN', org_path: '/CN/', client_id: 'demo-partner', scope: 'dossier:read org:read' }, jwt),
    adminBearer: await mintToken({ sub: admin.subject, role: 'national_info_admin', org: 'CN', org_path: '/CN/' }, jwt),
    // Hive and stock Apollo do not verify bearer tokens: the client hands them the subgraphs' identity
    // header ready-made, as our gateway makes it per request after checking the token.
    partnerIdentity: await signInternalIdentity(partner, internalIdentitySecret, 12 * 3600),
    adminIdentity: await signInternalIdentity(admin, internalIdentitySecret, 12 * 3600),
  };
}

interface RunningGatewayProcess {
  name: GatewayName;
  url: string;
  child: Child;
}

async function startGateway(name: GatewayName, subgraphUrls: Record<string, string>, probeBody: string, headers: Record<string, string>): Promise<RunningGatewayProcess> {
  const SUBGRAPH_URLS = Object.entries(subgraphUrls)
    .map(([n, u]) => `${n}=${u}`)
    .join(',');
  const common = { SUBGRAPH_URLS, NODE_ENV: 'production', SUPERGRAPH_FILE: resolve(REPO_ROOT, 'schema/supergraph.graphql') };
  const port = PORTS[name];
  let child: Child;
  if (name === 'ours') {
    child = startChild(
      'gateway-ours',
      'gateway/src/main.ts',
      {
        ...common,
        PORT: String(port),
        JWT_SECRET: jwtSecret,
        INTERNAL_IDENTITY_SECRET: internalIdentitySecret,
        // The benchmark is two accounts sending thousands of requests a minute: far above the
        // per-account limits, which still run (and cost what they cost) on every request.
        RATE_LIMIT_USER_PER_MINUTE: '100000000',
        RATE_LIMIT_CLIENT_PER_MINUTE: '100000000',
        // The bench's tokens name no account row (REQUIRE_ACCOUNT is on in production); the check
        // is one cached lookup per subject, so leaving it out does not flatter the figures.
        REQUIRE_ACCOUNT: 'false',
        ...(args.workers ? { GATEWAY_WORKERS: args.workers } : {}),
        ...(Number(args.workers ?? 1) > 1 ? { REDIS_URL: args['redis-url'] } : {}),
      },
      logDir,
      (args['node-args'] ?? '').split(' ').filter(Boolean),
      pinning?.gateway,
    );
  } else {
    child = startChild(`gateway-${name}`, `bench/gateway/${name}-gateway.ts`, { ...common, PORT: String(port) }, logDir, [], pinning?.gateway);
  }
  children.push(child);
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitFor(child, async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: probeBody, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return response.ok && !text.includes('"errors"');
  });
  return { name, url, child };
}

interface Measurement {
  gateway: GatewayName;
  scenario: Scenario;
  round: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  rssMaxMb: number;
  rssPerProcessMaxMb: number;
  processes: number;
  cpuMsPerRequest: number;
  subgraphCpuMsPerRequest: number;
  load: string;
}

/** Drives one gateway with one scenario; counts any non-200 answer or answer with `errors` as an error. */
async function drive(
  gateway: RunningGatewayProcess,
  scenario: Scenario,
  seconds: number,
  makeBody: () => string,
  headers: Record<string, string>,
): Promise<Omit<Measurement, 'round' | 'load'>> {
  let errors = 0;
  let firstError: string | undefined;
  let checked = 0;
  const rssSamples: { total: number; max: number; count: number }[] = [];
  const pid = gateway.child.process.pid ?? 0;
  const sampler = setInterval(() => {
    const mem = residentMemory(pid);
    rssSamples.push({ total: mem.reduce((s, m) => s + m.rssMb, 0), max: Math.max(...mem.map((m) => m.rssMb)), count: mem.length });
  }, 500);
  const cpuBefore = cpuSeconds(pid);
  const subgraphCpu = () => subgraphPids.reduce((sum, p) => sum + cpuSeconds(p), 0);
  const subgraphCpuBefore = subgraphCpu();
  const result = await autocannon({
    url: gateway.url,
    connections: concurrency,
    duration: seconds,
    // The machine is shared: a slow answer is measured, not dropped, unless it takes half a minute.
    timeout: 30,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({ ...request, body: makeBody() }),
        onResponse: (status: number, body: string) => {
          let bad = status !== 200 || body.includes('"errors"');
          // Every 20th answer is parsed in full: the right number of teachers, all four subgraphs' fields present.
          if (!bad && (checked += 1) % 20 === 0) {
            try {
              const nodes = (JSON.parse(body) as { data?: { teachers?: { nodes?: Record<string, unknown>[] } } }).data?.teachers?.nodes ?? [];
              bad = nodes.length !== EXPECTED_NODES[scenario] || nodes.some((n) => n.trainingProgress === undefined || n.employments === undefined || n.annualAssessments === undefined);
            } catch {
              bad = true;
            }
          }
          if (bad) {
            errors += 1;
            firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  } as unknown as autocannon.Options);
  clearInterval(sampler);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const cpuOfSubgraphs = subgraphCpu() - subgraphCpuBefore;
  const requests = result.requests.total;
  return {
    gateway: gateway.name,
    scenario,
    requests,
    rps: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: errors + result.errors + result.timeouts,
    firstError,
    rssMaxMb: Math.max(0, ...rssSamples.map((s) => s.total)),
    rssPerProcessMaxMb: Math.max(0, ...rssSamples.map((s) => s.max)),
    processes: Math.max(0, ...rssSamples.map((s) => s.count)),
    cpuMsPerRequest: requests ? (cpu * 1000) / requests : 0,
    subgraphCpuMsPerRequest: requests ? (cpuOfSubgraphs * 1000) / requests : 0,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function report(measurements: Measurement[], statements: StatementCounts | null): void {
  say('\n## Per round');
  say('| round | scenario | gateway | req/s | p50 ms | p99 ms | errors | gateway RSS max MB (processes) | gateway CPU ms/req | subgraphs CPU ms/req | load 1/5/15 |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const m of measurements) {
    say(`| ${m.round} | ${m.scenario} | ${m.gateway} | ${m.rps.toFixed(1)} | ${m.p50} | ${m.p99} | ${m.errors} | ${m.rssMaxMb.toFixed(0)} (${m.processes}) | ${m.cpuMsPerRequest.toFixed(2)} | ${m.subgraphCpuMsPerRequest.toFixed(2)} | ${m.load} |`);
  }
  say('\n## Summary (median over rounds)');
  say('| scenario | gateway | req/s | p50 ms | p99 ms | errors (total) | gateway RSS max MB | largest process MB | gateway CPU ms/req | subgraphs CPU ms/req | ours vs this req/s |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const scenario of scenarios) {
    const oursRps = median(measurements.filter((m) => m.scenario === scenario && m.gateway === 'ours').map((m) => m.rps));
    for (const gateway of gateways) {
      const ms = measurements.filter((m) => m.scenario === scenario && m.gateway === gateway);
      if (!ms.length) continue;
      const rps = median(ms.map((m) => m.rps));
      say(
        `| ${scenario} | ${gateway} | ${rps.toFixed(1)} | ${median(ms.map((m) => m.p50))} | ${median(ms.map((m) => m.p99))} | ${ms.reduce((s, m) => s + m.errors, 0)} | ${Math.max(...ms.map((m) => m.rssMaxMb)).toFixed(0)} | ${Math.max(...ms.map((m) => m.rssPerProcessMaxMb)).toFixed(0)} | ${median(ms.map((m) => m.cpuMsPerRequest)).toFixed(2)} | ${median(ms.map((m) => m.subgraphCpuMsPerRequest)).toFixed(2)} | ${oursRps ? (oursRps / rps).toFixed(2) : '-'} |`,
      );
    }
  }
  const failures = measurements.filter((m) => m.errors > 0);
  for (const f of failures) say(`errors: ${f.gateway} ${f.scenario} round ${f.round}: ${f.errors}, first: ${f.firstError ?? '(transport error or timeout)'}`);
  if (statements) {
    say(`\nSQL statements per request (counted in-process before the run, bench/statements.ts): teacher list 5 / 50 teachers ${statements.list5} / ${statements.list50}; partner dossier 1 / 50 teachers ${statements.dossier1} / ${statements.dossier50}.`);
  }
}

async function soak(gateway: RunningGatewayProcess, makeBodies: Record<Scenario, () => string>, headersOf: (s: Scenario) => Record<string, string>): Promise<void> {
  const pid = gateway.child.process.pid ?? 0;
  const samples: { t: number; perProcess: { pid: number; rssMb: number }[] }[] = [];
  const started = Date.now();
  // V8's own figures from the gateway's /metrics (prom-client's default metrics), to tell heap from
  // external buffers and code: resident memory alone cannot say whether live data or garbage grows.
  const heapSamples: { t: number; heapTotalMb: number; heapUsedMb: number; externalMb: number }[] = [];
  const metricsUrl = new URL('/metrics', gateway.url).toString();
  const sampleHeap = async () => {
    try {
      const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) })).text();
      const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
      heapSamples.push({ t: (Date.now() - started) / 1000, heapTotalMb: mb('nodejs_heap_size_total_bytes'), heapUsedMb: mb('nodejs_heap_size_used_bytes'), externalMb: mb('nodejs_external_memory_bytes') });
    } catch {
      // a busy gateway may miss a sample; resident memory is still read from /proc
    }
  };
  const sampler = setInterval(() => {
    samples.push({ t: (Date.now() - started) / 1000, perProcess: residentMemory(pid) });
    void sampleHeap();
  }, 5000);
  say(`soak: ${soakSeconds} s on our gateway, ${concurrency} connections, scenarios alternating every 30 s; load ${load()}`);
  let requests = 0;
  let errors = 0;
  let i = 0;
  while ((Date.now() - started) / 1000 < (soakSeconds as number)) {
    const scenario = scenarios[i % scenarios.length] as Scenario;
    i += 1;
    const left = (soakSeconds as number) - (Date.now() - started) / 1000;
    const m = await drive(gateway, scenario, Math.max(1, Math.min(30, Math.round(left))), makeBodies[scenario], headersOf(scenario));
    requests += m.requests;
    errors += m.errors;
    const last = samples[samples.length - 1];
    say(`  t=${Math.round((Date.now() - started) / 1000)} s ${scenario}: ${m.rps.toFixed(1)} req/s p50 ${m.p50} ms p99 ${m.p99} ms errors ${m.errors}; RSS ${last ? last.perProcess.map((p) => `${p.pid}:${p.rssMb.toFixed(0)}`).join(' ') : '-'} MB; load ${load()}`);
  }
  clearInterval(sampler);
  const pids = [...new Set(samples.flatMap((s) => s.perProcess.map((p) => p.pid)))];
  say('\n## Soak: resident memory per gateway process (MB), sampled every 5 s');
  say('| process | first sample | last sample | max | mean of first minute | mean of last minute |');
  say('|---|---|---|---|---|---|');
  for (const p of pids) {
    const series = samples.flatMap((s) => s.perProcess.filter((x) => x.pid === p).map((x) => ({ t: s.t, mb: x.rssMb })));
    if (!series.length) continue;
    const first = series.filter((x) => x.t <= 60);
    const lastMinute = series.filter((x) => x.t >= (series[series.length - 1]?.t ?? 0) - 60);
    const mean = (xs: { mb: number }[]) => (xs.reduce((s, x) => s + x.mb, 0) / Math.max(1, xs.length)).toFixed(0);
    say(`| ${p === pid ? `${p} (primary)` : p} | ${series[0]?.mb.toFixed(0)} | ${series[series.length - 1]?.mb.toFixed(0)} | ${Math.max(...series.map((x) => x.mb)).toFixed(0)} | ${mean(first)} | ${mean(lastMinute)} |`);
  }
  if (heapSamples.length) {
    const first = heapSamples.filter((x) => x.t <= 60);
    const lastT = heapSamples[heapSamples.length - 1]?.t ?? 0;
    const lastMinute = heapSamples.filter((x) => x.t >= lastT - 60);
    const stat = (xs: typeof heapSamples, key: 'heapTotalMb' | 'heapUsedMb' | 'externalMb') =>
      `${(xs.reduce((sum, x) => sum + x[key], 0) / Math.max(1, xs.length)).toFixed(0)} / ${Math.max(...xs.map((x) => x[key])).toFixed(0)}`;
    say(`\n## Soak: V8 memory of ${Number(args.workers ?? 1) > 1 ? 'the worker answering /metrics' : 'the gateway'} (MB, mean / max), from /metrics every 5 s (${heapSamples.length} samples)`);
    say('| figure | first minute | last minute | whole run |');
    say('|---|---|---|---|');
    for (const [label, key] of [['heap committed', 'heapTotalMb'], ['heap used', 'heapUsedMb'], ['external (buffers)', 'externalMb']] as const) {
      say(`| ${label} | ${stat(first, key)} | ${stat(lastMinute, key)} | ${stat(heapSamples, key)} |`);
    }
    // The lowest heap use seen is close to the live data (sampled just after a collection).
    say(`lowest heap used: first minute ${Math.min(...first.map((x) => x.heapUsedMb)).toFixed(0)} MB, last minute ${Math.min(...lastMinute.map((x) => x.heapUsedMb)).toFixed(0)} MB`);
  }
  say(`requests ${requests}, errors ${errors}`);
}

async function main(): Promise<void> {
  say(`bench:gateway: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${load()}`);
  if (pinning) say(`pinned: gateways on CPU ${pinning.gateway}; subgraphs and the load generator on CPU ${pinning.rest}; PostgreSQL unpinned`);
  say(`database ${databaseName}; ${concurrency} connections; ${duration} s per run after ${warmup} s warm-up; ${rounds} rounds; logs in ${logDir}`);
  await ensureDatabase();
  const { teacherIds, statements } = await prepareData();
  if (teacherIds.length < 60) throw new Error(`the ${databaseName} database has only ${teacherIds.length} teachers; the list scenario needs at least 60`);
  say(`${teacherIds.length} teachers (${schemaSuffix ? `generated data set, schemas *_${schemaSuffix}` : 'demo data'})`);
  if (statements) {
    say(`SQL statements per request (all four subgraphs): teacher list 5 / 50 teachers ${statements.list5} / ${statements.list50}; partner dossier 1 / 50 teachers ${statements.dossier1} / ${statements.dossier50}`);
  }
  const subgraphUrls = await startSubgraphs();
  say(`subgraphs up: ${Object.values(subgraphUrls).join(' ')}`);
  const creds = await credentials();
  const headersOf = (scenario: Scenario) =>
    scenario === 'dossier'
      ? { authorization: `Bearer ${creds.partnerBearer}`, 'x-internal-identity': creds.partnerIdentity }
      : { authorization: `Bearer ${creds.adminBearer}`, 'x-internal-identity': creds.adminIdentity };
  const makeBodies = Object.fromEntries(SCENARIOS.map((s) => [s, bodyFactory(s, teacherIds, 'CN')])) as Record<Scenario, () => string>;

  const running: RunningGatewayProcess[] = [];
  for (const name of gateways) {
    running.push(await startGateway(name, subgraphUrls, makeBodies.dossier(), headersOf('dossier')));
    say(`gateway ${name} up at ${PORTS[name]}`);
  }

  if (soakSeconds) {
    await soak(running[0] as RunningGatewayProcess, makeBodies, headersOf);
    return;
  }

  // An unmeasured pass first: whichever gateway ran first would otherwise pay for cold database
  // buffers, subgraph JIT and caches on everyone's behalf.
  if (warmup > 0) {
    say(`\nwarm-up pass (not measured): every gateway, every scenario, ${warmup * 2} s each; load ${load()}`);
    for (const scenario of scenarios) for (const gateway of running) await drive(gateway, scenario, warmup * 2, makeBodies[scenario], headersOf(scenario));
  }

  const measurements: Measurement[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    say(`\nround ${round}/${rounds}: load ${load()}`);
    for (const scenario of scenarios) {
      // Rotate the order every round so no gateway always runs first or last.
      const order = running.map((_, i) => running[(i + round - 1) % running.length] as RunningGatewayProcess);
      for (const gateway of order) {
        if (warmup > 0) await drive(gateway, scenario, warmup, makeBodies[scenario], headersOf(scenario));
        const loadBefore = load();
        const m = await drive(gateway, scenario, duration, makeBodies[scenario], headersOf(scenario));
        measurements.push({ ...m, round, load: loadBefore });
        say(`  ${scenario} ${gateway.name}: ${m.rps.toFixed(1)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, errors ${m.errors}, RSS ${m.rssMaxMb.toFixed(0)} MB, CPU gateway ${m.cpuMsPerRequest.toFixed(2)} / subgraphs ${m.subgraphCpuMsPerRequest.toFixed(2)} ms/req (load ${loadBefore})`);
      }
    }
  }
  report(measurements, statements);
}

let stopping = false;
async function cleanup(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((c) => stopChild(c)));
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

main()
  .then(cleanup)
  .then(() => process.exit(0))
  .catch(async (error) => {
    process.stderr.write(`bench:gateway failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanup();
    process.exit(1);
  });
