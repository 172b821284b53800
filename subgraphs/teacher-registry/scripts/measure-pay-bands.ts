/**
 * Times the pay-band statistics statement (repositories/statistics.ts) over a generated data set.
 * Usage (never against the CI `test` database):
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npx tsx subgraphs/teacher-registry/scripts/measure-pay-bands.ts <source schema> [runs]
 *
 * `<source schema>` is a registry schema filled by `npm run generate` (e.g. teacher_registry_g100k).
 * The script copies its `org_unit` and `teacher` tables into a throw-away schema, gives 92 % of the
 * teachers a pay row (as the demo does), and times byPayBand for the nation, the largest province
 * and its largest county, as an analyst sees them; then drops the throw-away schema.
 */
import { createDb, dropSchema, migrateLatest } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { teacherRegistry } from '../src';
import { payBandsByUnit, payBandsByUnitLive, payBandsQuery, refreshPayBandRollup } from '../src/repositories/statistics';

async function main() {
  const url = process.env.DATABASE_URL;
  const source = process.argv[2];
  const runs = Number(process.argv[3] ?? 7);
  if (!url || !source || !/^[a-z0-9_]+$/.test(source)) throw new Error('usage: DATABASE_URL=… measure-pay-bands.ts <source schema> [runs]');
  const db = createDb({ url, schema: `pay_bands_measure_${process.pid}`, poolMax: 2, statementTimeoutMs: 600_000, applicationName: 'measure-pay-bands' });
  try {
    await migrateLatest(db, teacherRegistry.migrations);
    const started = Date.now();
    await db.knex.raw(`insert into ?? select * from ??.org_unit`, [db.t('org_unit'), source]);
    // Same columns in the same order: both schemas come from the same migrations.
    await db.knex.raw(`insert into ?? select * from ??.teacher`, [db.t('teacher'), source]);
    await db.knex.raw(
      `insert into ?? (id, teacher_id, entered_by, entered_role, post_grade, salary_step, basic_monthly_pay, monthly_allowances, effective_from)
       select gen_random_uuid(), id, 'measure', 'school_info_admin', 1 + abs(hashtext(id::text)) % 13, 1 + abs(hashtext(id::text || 's')) % 65,
              2500 + abs(hashtext(id::text || 'b')) % 6000, abs(hashtext(id::text || 'a')) % 4000, date '2025-07-01'
         from ?? where abs(hashtext(id::text || 'p')) % 100 < 92`,
      [db.t('teacher_pay'), db.t('teacher')],
    );
    await db.knex.raw('analyze ??', [db.t('teacher')]);
    await db.knex.raw('analyze ??', [db.t('teacher_pay')]);
    const counts = (await db.knex.raw(`select (select count(*) from ??)::int as teachers, (select count(*) from ??)::int as pay`, [db.t('teacher'), db.t('teacher_pay')])).rows[0];
    console.log(`copied ${counts.teachers} teachers, ${counts.pay} pay rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const province = (await db.knex.raw(`select split_part(org_path, '/', 3) as id, count(*)::int as n from ?? group by 1 order by 2 desc limit 1`, [db.t('teacher')])).rows[0].id as string;
    const county = (await db.knex.raw(`select split_part(org_path, '/', 5) as id, count(*)::int as n from ?? where org_path like ? group by 1 order by 2 desc limit 1`, [db.t('teacher'), `/CN/${province}/%`])).rows[0].id as string;
    const analyst: Viewer = { subject: 'measure', role: 'analyst', orgId: 'CN', orgPath: '/CN/', scopes: [] };
    if (process.env.EXPLAIN) {
      // The plan of the national query, to see where the time goes.
      const plan = await db.knex.raw(`explain (analyze, buffers) ${payBandsQuery(db, analyst, [{ id: 'CN', path: '/CN/' }]).toString()}`);
      for (const row of plan.rows) console.log(row['QUERY PLAN']);
    }
    // The copy marked every school dirty: the first refresh recounts them all (once).
    const refreshStarted = Date.now();
    await refreshPayBandRollup(db);
    console.log(`first rollup refresh (every school) ${Date.now() - refreshStarted} ms`);
    for (const [name, read] of [['rollup', payBandsByUnit], ['live', payBandsByUnitLive]] as const) {
      for (const unit of ['CN', province, county]) {
        const times: number[] = [];
        let bands = 0;
        for (let i = 0; i < runs; i++) {
          const t0 = process.hrtime.bigint();
          bands = (await read(db, analyst, [unit])).length;
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        times.sort((a, b) => a - b);
        const p50 = times[Math.floor(times.length / 2)] as number;
        console.log(`byPayBand ${name.padEnd(6)} ${unit.padEnd(8)} ${bands} bands  p50 ${p50.toFixed(0)} ms  min ${times[0]!.toFixed(0)} ms  max ${times.at(-1)!.toFixed(0)} ms  (${runs} runs)`);
      }
    }
  } finally {
    await dropSchema(db).catch(() => undefined);
    await db.knex.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
