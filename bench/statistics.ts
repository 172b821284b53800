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
import { forecastFigures, refreshForecastRollup } from '../subgraphs/staffing-quota/src/repositories/forecast-rollup';
import { projectStages, retirementsByYear } from '../subgraphs/staffing-quota/src/repositories/forecast';
import { headcountsByUnit, headcountsByUnitLive } from '../subgraphs/teacher-registry/src/repositories/teachers';
import { payBandsByUnit, payBandsByUnitLive } from '../subgraphs/teacher-registry/src/repositories/statistics';
import { completionByOrgIds, completionByOrgIdsLive } from '../subgraphs/training/src/repositories/credit-bank';

/**
 * npm run bench:statistics -- [--sets g100k,g1m] [--runs 30] [--live-runs 3] [--province 420000] [--api-runs 20]
 *
 * Statistics at scale on generated data sets (npm run generate -- --schema-suffix <set>). Brings
 * the set's schemas to the latest migrations first (the rollups added since it was generated).
 *
 * 1. Through the rollups against the live queries they replace, as the repositories run them, for
 *    one province's subtree and the nation: headcount (every registry breakdown incl. title × age
 *    band), staffing deficit, pay bands and training completion; the answers are compared.
 * 2. Every dimension of the Statistics table (README) through the whole platform (gateway and four
 *    subgraphs in-process over the set): one GraphQL request per dimension for the nation, the
 *    largest province and its largest county, as an analyst (small cells suppressed) and as a
 *    national information administrator (exact), p50/p95 over --api-runs requests after one
 *    warm-up request (timed and printed: it pays for any rollup recount a load left behind).
 * 3. SQL statements per request (batching proof).
 *
 * Prints tables and JSON.
 */
const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: 'g100k,g1m' },
    runs: { type: 'string', default: '30' },
    'live-runs': { type: 'string', default: '3' },
    // Default: the province with the most teachers in the set.
    province: { type: 'string' },
    'api-runs': { type: 'string', default: '20' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench' },
    // Also start the platform over the last set and print SQL statements per request (batching proof).
    statements: { type: 'boolean', default: true },
  },
});
const runs = Number(values.runs);
const liveRuns = Number(values['live-runs']);
const url = values['database-url'] as string;
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(liveRuns) || liveRuns < 0) throw new Error('--runs must be ≥ 1 and --live-runs ≥ 0');
const apiRuns = Number(values['api-runs']);
if (!Number.isInteger(apiRuns) || apiRuns < 0) throw new Error('--api-runs must be ≥ 0');
if (values.province !== undefined && !/^\d{2}0000$/.test(values.province)) throw new Error('--province must be a province code such as 420000');

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
type Timing = { p50: number; p95: number; runs: number };
const f = (t: Timing | null) => (t ? `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)} ms` : '—');

function open(name: string, set: string): Db {
  return createDb({ url, schema: schemaOf(name, set), poolMax: 2, statementTimeoutMs: 0, applicationName: 'bench-statistics' });
}

/** Every subgraph's schema of the set to the latest migrations (rollups added since it was generated). */
async function migrateSet(set: string): Promise<void> {
  for (const definition of SUBGRAPHS) {
    const db = open(definition.name, set);
    try {
      const started = performance.now();
      const applied = await migrateLatest(db, definition.migrations);
      if (applied?.length) console.log(`  ${db.schema}: applied ${applied.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await db.destroy();
    }
  }
}

/** The largest province of the set (or --province) and its largest county. */
async function unitsOf(registry: Db): Promise<{ province: string; county: string; provinceTeachers: number; countyTeachers: number }> {
  const province =
    (values.province as string | undefined) ??
    ((await registry.knex.raw(`select split_part(org_path, '/', 3) as id from ?? group by 1 order by count(*) desc, 1 limit 1`, [registry.t('teacher')])).rows[0].id as string);
  const [county] = (
    await registry.knex.raw(
      `select u.id, (select count(*) from ?? t where t.org_path like u.path || '%')::int as n
         from ?? u where u.level = 'county' and u.path like ? order by n desc, u.id limit 1`,
      [registry.t('teacher'), registry.t('org_unit'), `/CN/${province}/%`],
    )
  ).rows as { id: string; n: number }[];
  const [{ n }] = (await registry.knex.raw(`select count(*)::int as n from ?? where org_path like ?`, [registry.t('teacher'), `/CN/${province}/%`])).rows;
  return { province, county: county!.id, provinceTeachers: n, countyTeachers: county!.n };
}

/** Part 1: rollup against live, as the repositories run them. */
async function rollupsAgainstLive(set: string, province: string, results: Record<string, unknown>[]) {
  const registry = open('teacher-registry', set);
  const staffing = open('staffing-quota', set);
  const training = open('training', set);
  try {
    const [{ n }] = (await registry.knex.raw(`select count(*)::int as n from ${registry.t('teacher')}`)).rows;
    const scopes: [string, Viewer][] = [
      [province, viewer('province_query', province, `/CN/${province}/`)],
      ['CN', viewer('national_query', 'CN', '/CN/')],
    ];
    // The first balance read after a load counts the figures of every unit once; the first pay-band
    // read recounts the schools a load marked.
    const build = await time(1, () => quotaBalances(staffing, scopes[1]![1], ['CN'], 2026));
    const payBuild = await time(1, () => payBandsByUnit(registry, scopes[1]![1], ['CN']));
    // A base year's first count (once per base year; a reader answers live meanwhile), timed alone.
    const forecastBuild = await time(1, () => refreshForecastRollup(staffing, 2026));
    console.log(`\n${set}: ${n.toLocaleString('en')} teachers; first read: quota figures ${build.p50.toFixed(0)} ms, pay bands ${payBuild.p50.toFixed(0)} ms, demand forecast ${forecastBuild.p50.toFixed(0)} ms`);
    const [cycleRow] = (await training.knex.raw(`select id, starts_on::text as "startsOn", ends_on::text as "endsOn", required_hours::float as "requiredHours" from ?? where starts_on <= current_date and ends_on >= current_date`, [training.t('training_cycle')])).rows;
    const cycle = cycleRow as { id: string; startsOn: string; endsOn: string; requiredHours: number };
    const day = new Date().toISOString().slice(0, 10);
    const asOf = cycle.endsOn < day ? cycle.endsOn : day;
    for (const [unit, v] of scopes) {
      const path = unit === 'CN' ? '/CN/' : `/CN/${unit}/`;
      const pairs = {
        headcount: [() => headcountsByUnit(registry, v, [unit]), () => headcountsByUnitLive(registry, v, [unit])],
        deficit: [() => quotaBalances(staffing, v, [unit], 2026), () => quotaBalancesLive(staffing, v, [unit], 2026)],
        payBand: [() => payBandsByUnit(registry, v, [unit]), () => payBandsByUnitLive(registry, v, [unit])],
        trainingCompletion: [() => completionByOrgIds(training, v, [unit], cycle, asOf), () => completionByOrgIdsLive(training, v, [unit], cycle, asOf)],
        forecast: [
          async () => { const f = await forecastFigures(staffing, path, 2026, 5); return [...f.stages, { inPost: f.inPost }, ...[...f.byYear].map(([year, count]) => ({ year, count }))]; },
          async () => {
            const [stages, r] = await Promise.all([projectStages(staffing, path, 2026, 5), retirementsByYear(staffing, path, 2026, 5)]);
            return [...stages, { inPost: r.inPost }, ...[...r.byYear].map(([year, count]) => ({ year, count }))];
          },
        ],
      } as const;
      for (const [name, [rollup, live]] of Object.entries(pairs)) {
        const fast = await time(runs, rollup);
        const slow = liveRuns > 0 ? await time(liveRuns, live) : null;
        // The answers themselves: the rollup must give what the live query gives.
        const canonical = (rows: unknown[]) => JSON.stringify(rows.map((r) => JSON.stringify(r, (_k, x) => (typeof x === 'string' && /^\d+(\.\d+)?$/.test(x) ? Number(x) : x))).sort());
        const same = liveRuns > 0 ? canonical((await rollup()) as unknown[]) === canonical((await live()) as unknown[]) : null;
        results.push({ part: 'rollup-vs-live', set, teachers: n, unit, figure: name, rollup: fast, live: slow, sameAnswer: same });
        console.log(`  ${unit.padEnd(7)} ${name.padEnd(19)} rollup p50/p95 ${f(fast)}  live ${f(slow)}${same === null ? '' : same ? '  same answer' : '  ANSWERS DIFFER'}`);
      }
    }
    const [completion] = await completionByOrgIds(training, scopes[1]![1], ['CN'], cycle, asOf);
    console.log(`  CN      training cycle ${cycle.id}: ${completion?.teacherCount} teachers, ${completion?.metCount} met`);
  } finally {
    await Promise.all([registry.destroy(), staffing.destroy(), training.destroy()]);
  }
}

const BUCKET = '{ code count }';
/** One request per dimension of the README's Statistics table, for unit $id. */
const DIMENSIONS: [string, string][] = [
  ...['byStage', 'bySubject', 'byGender', 'byAgeBand', 'byEducationLevel', 'byTitle', 'byStaffCategory', 'byLocale', 'byStatus'].map(
    (d) => [d, `query($id: ID!) { orgUnit(id: $id) { statistics { activeTeachers ${d} ${BUCKET} } } }`] as [string, string],
  ),
  ['byOnQuota', `query($id: ID!) { orgUnit(id: $id) { statistics { onQuota byOnQuota ${BUCKET} } } }`],
  ['byPayBand', `query($id: ID!) { orgUnit(id: $id) { statistics { byPayBand ${BUCKET} } } }`],
  ['byTitleAndAgeBand', `query($id: ID!) { orgUnit(id: $id) { statistics { byTitleAndAgeBand { rowCode columnCode count suppressed } } } }`],
  ['trainingCompletion', `query($id: ID!) { orgUnit(id: $id) { trainingCompletion { teacherCount metCount completionRate byCompletion ${BUCKET} } } }`],
  ['staffingQuota deficit', `query($id: ID!) { orgUnit(id: $id) { staffingQuota(year: 2026) { approved occupied balance standard standardGap } } }`],
  ['mobilityStatistics', `query($id: ID!) { orgUnit(id: $id) { mobilityStatistics(year: 2026) { transfers rotations byTransferKind ${BUCKET} byTransferDirection ${BUCKET} byRotationKind ${BUCKET} byRotationStatus ${BUCKET} } } }`],
  ['staffingDemandForecast', `query($id: ID!) { staffingDemandForecast(orgUnitId: $id, baseYear: 2026, years: 5) { teachersInPost years { year students teachersRequired retirements teachersAvailable gap } } }`],
];

/** The whole platform (four subgraphs and the gateway) in-process over one generated data set. */
async function withPlatform<T>(set: string, work: (graphql: (token: string, query: string, variables: Record<string, unknown>) => Promise<{ errors?: unknown[]; data?: any }>, token: (role: string, org: string, extra?: Record<string, unknown>) => Promise<string>, knexes: unknown[]) => Promise<T>): Promise<T> {
  const secret = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, DATABASE_POOL_MAX: '4', JWT_SECRET: secret,
    INTERNAL_IDENTITY_SECRET: randomBytes(32).toString('hex'), EVENT_RELAY_INTERVAL_MS: '3600000',
    // One bench user sends hundreds of requests a minute: the per-user limit would answer RATE_LIMITED.
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
  };
  for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = schemaOf(s.name, set);
  const platform = await startPlatform({ env, seedDemo: false, ephemeralPorts: true });
  try {
    const token = (role: string, org: string, extra: Record<string, unknown> = {}) =>
      mintToken({ sub: `bench-${role}`, role, org, org_path: org === 'CN' ? '/CN/' : `/CN/${org}/`, ...extra } as never, { secret, issuer: 'teacher-platform', audience: 'teacher-platform', expiresIn: '30m' });
    const graphql = async (t: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(platform.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as { errors?: unknown[]; data?: any };
    };
    return await work(graphql, token, platform.subgraphs.map((s) => s.db.knex));
  } finally {
    await platform.stop();
  }
}

/** Part 2: every dimension through the gateway, three units, two roles. */
async function everyDimension(set: string, units: { province: string; county: string }, results: Record<string, unknown>[]) {
  await withPlatform(set, async (graphql, token) => {
    const roles: [string, string][] = [['analyst', await token('analyst', 'CN')], ['national_info_admin', await token('national_info_admin', 'CN')]];
    const unitList: [string, string][] = [['nation', 'CN'], ['province', units.province], ['county', units.county]];
    console.log(`\n${set}: every dimension through the gateway, p50 / p95 of ${apiRuns} requests (first request in brackets)`);
    console.log(`  ${'dimension'.padEnd(24)} ${unitList.flatMap(([level]) => roles.map(([role]) => `${level} ${role === 'analyst' ? 'analyst' : 'admin'}`.padEnd(30))).join('')}`);
    for (const [dimension, query] of DIMENSIONS) {
      const cells: string[] = [];
      for (const [level, id] of unitList) {
        for (const [role, t] of roles) {
          const run = async () => {
            const body = await graphql(t, query, { id });
            if (body.errors) throw Object.assign(new Error(`${dimension} ${id} as ${role}: ${JSON.stringify(body.errors)}`), { body });
            return body;
          };
          try {
            const first = await time(1, run);
            const timing = await time(apiRuns, run);
            results.push({ part: 'every-dimension', set, dimension, level, unit: id, role, first: first.p50, ...timing });
            cells.push(`${f(timing)} (${first.p50.toFixed(0)})`.padEnd(30));
          } catch (error) {
            // An answer with errors (e.g. the gateway's 5 s subgraph timeout) is a result too: recorded, and the bench goes on.
            const body = (error as { body?: { errors?: { extensions?: { code?: string } }[] } }).body;
            const code = body?.errors?.[0]?.extensions?.code ?? (error as Error).message;
            results.push({ part: 'every-dimension', set, dimension, level, unit: id, role, error: code });
            cells.push(`error ${code}`.padEnd(30));
          }
        }
      }
      console.log(`  ${dimension.padEnd(24)} ${cells.join('')}`);
    }
  });
}

async function main() {
  const results: Record<string, unknown>[] = [];
  const uptime = async () => (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`bench:statistics ${new Date().toISOString()}, load average ${await uptime()}`);
  const sets = (values.sets as string).split(',');
  let lastProvince = '420000';
  for (const set of sets) {
    console.log(`\n${set}: migrations`);
    await migrateSet(set);
    const registry = open('teacher-registry', set);
    const units = await unitsOf(registry).finally(() => registry.destroy());
    lastProvince = units.province;
    console.log(`${set}: province ${units.province} (${units.provinceTeachers.toLocaleString('en')} teachers), county ${units.county} (${units.countyTeachers.toLocaleString('en')})`);
    await rollupsAgainstLive(set, units.province, results);
    if (apiRuns > 0) await everyDimension(set, units, results);
    console.log(`load average ${await uptime()}`);
  }
  if (values.statements) {
    const set = sets.at(-1) as string;
    const counts = await withPlatform(set, async (graphql, token, knexes) =>
      countStatementsPerRequest({
        graphql,
        knexes: knexes as never,
        listToken: await token('national_query', 'CN'),
        partnerToken: await token('partner', lastProvince, { client_id: 'title-review-system', scope: 'dossier:read org:read' }),
        orgUnitId: lastProvince,
      }),
    );
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
