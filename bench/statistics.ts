import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { mintToken } from '../gateway/src/auth';
import { startPlatform } from '../gateway/src/platform';
import { envPrefix } from '../subgraphs/shared/src/config';
import { countStatementsPerRequest } from './statements';
import { createDb, migrateLatest, type Db } from '../subgraphs/shared/src/db';
import type { Role, Viewer } from '../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../subgraphs';
import { quotaBalances, quotaBalancesLive } from '../subgraphs/staffing-quota/src/repositories/staffing';
import { headcountsByUnit, headcountsByUnitLive } from '../subgraphs/teacher-registry/src/repositories/teachers';

/**
 * npm run bench:statistics -- [--sets g100k,g1m] [--runs 30] [--live-runs 3] [--province 420000]
 *
 * Statistics at scale on generated data sets (npm run generate -- --schema-suffix <set>): the
 * headcount by title × age band (the registry's statistics statement, with every breakdown) and the
 * staffing deficit (approved quota, on-quota staff, standard quota) for one province's subtree and
 * for the nation, as the subgraphs run them: p50/p95 over --runs reads through the rollups, and the
 * same figures computed live from the base tables for comparison. Prints a table and JSON.
 */
const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: 'g100k,g1m' },
    runs: { type: 'string', default: '30' },
    'live-runs': { type: 'string', default: '3' },
    province: { type: 'string', default: '420000' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench' },
    // Also start the platform over the last set and print SQL statements per request (batching proof).
    statements: { type: 'boolean', default: true },
  },
});
const runs = Number(values.runs);
const liveRuns = Number(values['live-runs']);
const url = values['database-url'] as string;
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(liveRuns) || liveRuns < 0) throw new Error('--runs must be ≥ 1 and --live-runs ≥ 0');
if (!/^\d{2}0000$/.test(values.province as string)) throw new Error('--province must be a province code such as 420000');

const viewer = (role: Role, orgId: string, orgPath: string): Viewer => ({ subject: `bench-${role}`, role, orgId, orgPath, scopes: [] });
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

async function time(n: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number; runs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), runs: n };
}

const schemaOf = (name: string, set: string) => `${name.replace(/-/g, '_')}_${set}`;

async function open(name: string, set: string): Promise<Db> {
  const db = createDb({ url, schema: schemaOf(name, set), poolMax: 2, statementTimeoutMs: 0, applicationName: 'bench-statistics' });
  // Applies the rollup migrations to a data set generated before them (builds the headcount rollup).
  await migrateLatest(db, SUBGRAPHS.find((s) => s.name === name)!.migrations);
  return db;
}

/** The whole platform (four subgraphs and the gateway) in-process over one generated data set. */
async function statementsOver(set: string) {
  const secret = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, DATABASE_POOL_MAX: '4', JWT_SECRET: secret,
    INTERNAL_IDENTITY_SECRET: randomBytes(32).toString('hex'), EVENT_RELAY_INTERVAL_MS: '3600000',
  };
  for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = schemaOf(s.name, set);
  const platform = await startPlatform({ env, seedDemo: false, ephemeralPorts: true });
  try {
    const token = (role: string, org: string, extra: Record<string, unknown> = {}) =>
      mintToken({ sub: `bench-${role}`, role, org, org_path: org === 'CN' ? '/CN/' : `/CN/${org}/`, ...extra } as never, { secret, issuer: 'teacher-platform', audience: 'teacher-platform', expiresIn: '10m' });
    const graphql = async (t: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(platform.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as { errors?: unknown[]; data?: unknown };
    };
    return await countStatementsPerRequest({
      graphql,
      knexes: platform.subgraphs.map((s) => s.db.knex),
      listToken: await token('national_query', 'CN'),
      partnerToken: await token('partner', values.province as string, { client_id: 'title-review-system', scope: 'dossier:read org:read' }),
      orgUnitId: values.province as string,
    });
  } finally {
    await platform.stop();
  }
}

async function main() {
  const results: Record<string, unknown>[] = [];
  const uptime = async () => (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`bench:statistics ${new Date().toISOString()}, load average ${await uptime()}`);
  for (const set of (values.sets as string).split(',')) {
    const registry = await open('teacher-registry', set);
    const staffing = await open('staffing-quota', set);
    try {
      const [{ n }] = (await registry.knex.raw(`select count(*)::int as n from ${registry.t('teacher')}`)).rows;
      const province = values.province as string;
      const scopes: [string, Viewer][] = [
        [province, viewer('province_query', province, `/CN/${province}/`)],
        ['CN', viewer('national_query', 'CN', '/CN/')],
      ];
      // The first balance read after a load counts the figures of every unit once.
      const build = await time(1, () => quotaBalances(staffing, scopes[1]![1], ['CN'], 2026));
      console.log(`\n${set}: ${n.toLocaleString('en')} teachers; quota figures cache built on first read in ${build.p50.toFixed(0)} ms`);
      for (const [unit, v] of scopes) {
        const headcount = await time(runs, () => headcountsByUnit(registry, v, [unit]));
        const deficit = await time(runs, () => quotaBalances(staffing, v, [unit], 2026));
        const headcountLive = liveRuns > 0 ? await time(liveRuns, () => headcountsByUnitLive(registry, v, [unit])) : null;
        const deficitLive = liveRuns > 0 ? await time(liveRuns, () => quotaBalancesLive(staffing, v, [unit], 2026)) : null;
        // The answers themselves, so the numbers are seen to be the same.
        const rows = await headcountsByUnit(registry, v, [unit]);
        const cells = rows.filter((r) => r.dimension === 'titleAgeBand').length;
        const active = rows.filter((r) => r.dimension === 'status' && r.code === 'active').reduce((s, r) => s + r.count, 0);
        const [balance] = await quotaBalances(staffing, v, [unit], 2026);
        const row = {
          set, teachers: n, unit, headcount, headcountLive, deficit, deficitLive,
          activeTeachers: active, titleAgeBandCells: cells,
          deficitFigures: balance ? { approved: balance.approved, occupied: balance.occupied, standard: balance.standard, deficit: balance.standard - balance.approved } : null,
        };
        results.push(row);
        const f = (t: { p50: number; p95: number } | null) => (t ? `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)} ms` : '—');
        console.log(`  ${unit.padEnd(7)} headcount title×age: rollup p50/p95 ${f(headcount)} (live ${f(headcountLive)}), ${active.toLocaleString('en')} active, ${cells} cells`);
        console.log(`  ${unit.padEnd(7)} staffing deficit:     rollup p50/p95 ${f(deficit)} (live ${f(deficitLive)}), standard ${balance?.standard} − approved ${balance?.approved} = ${(balance?.standard ?? 0) - (balance?.approved ?? 0)}`);
      }
    } finally {
      await registry.destroy();
      await staffing.destroy();
    }
  }
  if (values.statements) {
    const set = (values.sets as string).split(',').at(-1) as string;
    const counts = await statementsOver(set);
    results.push({ set, statementsPerRequest: counts });
    console.log(`\n${set}: SQL statements per request, all four subgraphs: teacher list ${counts.list5} for 5 teachers, ${counts.list50} for 50; partner dossier ${counts.dossier1} for 1, ${counts.dossier50} for 50`);
  }
  console.log(`\nload average at the end ${await uptime()}`);
  console.log(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
