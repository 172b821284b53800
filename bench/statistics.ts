import { parseArgs } from 'node:util';
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
  console.log(`\nload average at the end ${await uptime()}`);
  console.log(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
