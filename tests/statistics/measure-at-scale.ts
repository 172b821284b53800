/**
 * Not a test: times the training-completion and mobility statements over a data set from
 * `npm run generate` (read-only). Usage (never against the CI `test` database):
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npx tsx tests/statistics/measure-at-scale.ts g100k [runs]
 *
 * reads the schemas training_<suffix> and staffing_quota_<suffix>, and prints p50/min/max for the
 * nation, one province and one of its counties as an analyst sees them. Pay bands have their own
 * script (subgraphs/teacher-registry/scripts/measure-pay-bands.ts), headcount and quota balances are
 * in `npm run bench:statistics`.
 */
import { createDb, type Db } from '../../subgraphs/shared/src/db';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import { mobilityByOrgIds } from '../../subgraphs/staffing-quota/src/repositories/mobility';
import { completionByOrgIds } from '../../subgraphs/training/src/repositories/credit-bank';

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
    for (const unit of await units(training)) {
      await time(`trainingCompletion ${unit}`, runs, () => completionByOrgIds(training, analyst, [unit], { startsOn: '2021-01-01', endsOn: '2025-12-31', requiredHours: 360 }, '2025-12-31'));
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
