import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { testDb, uniqueSuffix, usesEmbeddedDatabase } from '../helpers/database';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { checkInvariants, dbsOf, settleEvents } from '../reliability/invariants';

/**
 * Database faults on a real PostgreSQL server (skipped on the embedded one, which has no backends
 * to kill): connections terminated under the services' feet are replaced without a restart, and a
 * transaction cut off in the middle leaves nothing behind.
 */
const embedded = usesEmbeddedDatabase();
(embedded ? describe.skip : describe)('database faults', () => {
  let t: TestPlatform;
  let token: string;
  const admin = testDb('public');
  const query = '{ teachers(first: 3) { totalCount nodes { name trainingProgress { completedHours } annualAssessments { year } } } }';
  // Only this platform's connections: other test files run their own platforms in parallel.
  const applicationName = `faults-${uniqueSuffix()}`;
  const killServiceConnections = async () => {
    const { rows } = await admin.knex.raw(
      `select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = current_database() and application_name = ? and pid <> pg_backend_pid()`,
      [applicationName],
    );
    return rows.length as number;
  };

  beforeAll(async () => {
    t = await startTestPlatform({ DATABASE_APPLICATION_NAME: applicationName });
    token = await t.token('county_query', '420111');
  });
  afterAll(async () => {
    await t?.stop();
    await admin.destroy();
  });

  it('answers again right after every service connection was terminated', async () => {
    expect((await t.graphql(token, query)).body.errors).toBeUndefined();
    expect(await killServiceConnections()).toBeGreaterThan(0);
    // The first request may meet a dead pooled connection; within a couple of tries the pools have
    // replaced them, with no restart of any service.
    let body = (await t.graphql(token, query)).body;
    for (let attempt = 0; attempt < 3 && body.errors; attempt += 1) body = (await t.graphql(token, query)).body;
    expect(body.errors).toBeUndefined();
    expect(body.data.teachers.totalCount).toBeGreaterThan(0);
    expect(body.data.teachers.nodes[0].trainingProgress).not.toBeNull();
  });

  it('leaves no partial write when the connection dies inside a transaction', async () => {
    const registry = t.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
    const teacher = buildDemoDataset().teachers[0]!;
    const before = await registry.knex(registry.t('teacher')).first('name', 'version').where('id', teacher.id);
    await expect(
      registry.knex.transaction(async (trx) => {
        await trx(registry.t('teacher')).where('id', teacher.id).update({ name: 'half-written', version: trx.raw('version + 1') });
        const { rows } = await trx.raw('select pg_backend_pid() as pid');
        await admin.knex.raw('select pg_terminate_backend(?)', [rows[0].pid]);
        await trx(registry.t('teacher')).where('id', teacher.id).update({ name: 'never' });
      }),
    ).rejects.toThrow();
    const after = await registry.knex(registry.t('teacher')).first('name', 'version').where('id', teacher.id);
    expect(after).toEqual(before);
  });

  it('leaves data that reconciles (tests/reliability/invariants.ts)', async () => {
    await settleEvents(t.platform.subgraphs);
    expect(await checkInvariants(dbsOf(t.platform.subgraphs), { requireDrained: true })).toEqual([]);
  });
});
