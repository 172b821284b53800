/**
 * Not a test: times the training-completion and mobility statements over a data set from
 * `npm run generate` (read-only). Usage (never against the CI `test` database):
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npx tsx tests/statistics/measure-at-scale.ts g100k [runs]
 *
 * reads the schemas training_<suffix> and staffing_quota_<suffix>, and prints p50/min/max for the
 * nation, one province and one of its counties as an analyst sees them: training completion of the
 * running cycle through the rollup and live, mobility. `npm run bench:statistics` measures every
 * dimension (and migrates the set first; this script expects it migrated).
 */
import { createDb, type Db } from '../../subgraphs/shared/src/db';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import { mobilityByOrgIds } from '../../subgraphs/staffing-quota/src/repositories/mobility';
import { completionByOrgIds, completionByOrgIdsLive } from '../../subgraphs/training/src/repositories/credit-bank';

const analyst: Viewer = { subject: 'measure', role: 'analyst', orgId: 'CN', orgPath: '/CN/', scopes: [] };

async function time(label: string, runs: number, work: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} p50 ${times[Math.floor(runs / 2)]!.toFixed(0)} ms  min ${times[0]!.toFixed(0)} ms  max ${times.at(-1)!.toFixed(0)} ms  (${runs} runs)`);
}

async function units(db: Db): Promise<string[]> {
  const province = (await db.knex.raw(`select org_id from ?? where org_path ~ '^/CN/[0-9]+/$' order by org_id limit 1`, [db.t('org_scope')])).rows[0].org_id as string;
  const county = (await db.knex.raw(`select org_id from ?? where org_path like ? and length(org_id) = 6 and org_id not like '%00' order by org_id limit 1`, [db.t('org_scope'), `/CN/${province}/%`])).rows[0].org_id as string;
  return ['CN', province, county];
}

async function main() {
  const url = process.env.DATABASE_URL;
  const suffix = process.argv[2];
  const runs = Number(process.argv[3] ?? 5);
  if (!url || !suffix || !/^[a-z0-9_]+$/.test(suffix)) throw new Error('usage: DATABASE_URL=… measure-at-scale.ts <schema suffix, e.g. g100k> [runs]');
  const options = { url, poolMax: 1, statementTimeoutMs: 600_000, applicationName: 'measure-statistics' };
  const training = createDb({ ...options, schema: `training_${suffix}` });
  const staffing = createDb({ ...options, schema: `staffing_quota_${suffix}` });
  try {
    const teachers = (await training.knex.raw('select count(*)::int as n from ??', [training.t('teacher_scope')])).rows[0].n;
    console.log(`${teachers} teachers`);
    const day = new Date().toISOString().slice(0, 10);
    const cycle = (
      await training.knex.raw(`select id, starts_on::text as "startsOn", ends_on::text as "endsOn", required_hours::float as "requiredHours" from ?? where starts_on <= ?::date and ends_on >= ?::date`, [
        training.t('training_cycle'),
        day,
        day,
      ])
    ).rows[0] as { id: string; startsOn: string; endsOn: string; requiredHours: number };
    for (const unit of await units(training)) {
      await time(`trainingCompletion ${cycle.id} ${unit}`, runs, () => completionByOrgIds(training, analyst, [unit], cycle, day));
      await time(`  live`, runs, () => completionByOrgIdsLive(training, analyst, [unit], cycle, day));
    }
    const year = (await staffing.knex.raw(`select coalesce(max(extract(year from starts_on))::int, 2026) as y from ??`, [staffing.t('rotation_assignment')])).rows[0].y as number;
    for (const unit of await units(staffing)) await time(`mobilityStatistics(${year}) ${unit}`, runs, () => mobilityByOrgIds(staffing, analyst, [unit], year));
  } finally {
    await training.knex.destroy();
    await staffing.knex.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
