import { dropSchema, migrateLatest, migrateRollbackAll } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { SUBGRAPHS } from '../../subgraphs';
import { testDb, uniqueSuffix } from '../helpers/database';

const tablesOf = async (db: ReturnType<typeof testDb>) =>
  (
    await db.knex('information_schema.tables').select('table_name').where('table_schema', db.schema).whereNot('table_name', 'like', 'knex_%')
  ).map((r: { table_name: string }) => r.table_name);

describe.each(SUBGRAPHS.map((s) => [s.name, s] as const))('%s migrations', (name, subgraph) => {
  const db = testDb(`${name.replace(/-/g, '_')}_m_${uniqueSuffix()}`);
  afterAll(async () => {
    await dropSchema(db);
    await db.destroy();
  });

  it('apply in their own schema, are idempotent, and each down reverses its up', async () => {
    const applied = await migrateLatest(db, subgraph.migrations);
    expect(applied).toEqual(subgraph.migrations.map((m) => m.name));
    expect((await tablesOf(db)).length).toBeGreaterThan(0);

    expect(await migrateLatest(db, subgraph.migrations)).toEqual([]);

    const reverted = await migrateRollbackAll(db, subgraph.migrations);
    expect(reverted.sort()).toEqual(subgraph.migrations.map((m) => m.name).sort());
    expect(await tablesOf(db)).toEqual([]);

    // And forward again after a full rollback.
    expect(await migrateLatest(db, subgraph.migrations)).toHaveLength(subgraph.migrations.length);
  });

  it('loads the demo data once and leaves existing data alone', async () => {
    await migrateLatest(db, subgraph.migrations);
    expect(await subgraph.seedDemo(db, buildDemoDataset())).toBe(true);
    expect(await subgraph.seedDemo(db, buildDemoDataset())).toBe(false);
  });
});
