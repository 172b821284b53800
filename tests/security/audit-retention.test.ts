import { addAuditTrailColumns, appendAudit, createAuditTable, verifyAuditChain } from '../../subgraphs/shared/src/audit';
import { startAuditRetention } from '../../subgraphs/shared/src/audit-retention';
import { ConfigError, loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { dropSchema, type Db } from '../../subgraphs/shared/src/db';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { testDatabaseUrl, testDb, uniqueSuffix } from '../helpers/database';

/** Issue #7 item 4: retention of at least six months, configurable, purged on a schedule by each service. */
const base = { DATABASE_URL: 'postgres://localhost/x', INTERNAL_IDENTITY_SECRET: 'x'.repeat(32) };
const actor = { subject: 'test-admin', role: 'county_info_admin', orgId: '420111', orgPath: '/CN/420000/420100/420111/' };

describe('audit retention', () => {
  it('defaults to 183 days, takes a longer setting per service, and refuses anything under six months', () => {
    expect(loadSubgraphConfig('training', 4002, base).auditRetentionDays).toBe(183);
    expect(loadSubgraphConfig('training', 4002, { ...base, AUDIT_RETENTION_DAYS: '400', TRAINING_AUDIT_RETENTION_DAYS: '730' }).auditRetentionDays).toBe(730);
    let error: unknown;
    try {
      loadSubgraphConfig('training', 4002, { ...base, AUDIT_RETENTION_DAYS: '30' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/AUDIT_RETENTION_DAYS: must be at least 183/);
    expect(() => loadSubgraphConfig('training', 4002, { ...base, AUDIT_RETENTION_DAYS: 'forever' })).toThrow(ConfigError);
  });

  describe('on PostgreSQL', () => {
    let db: Db;
    beforeAll(async () => {
      testDatabaseUrl();
      db = testDb(`audit_retention_${uniqueSuffix()}`);
      await db.knex.raw('create schema ??', [db.schema]);
      await createAuditTable(db.knex, db.schema);
      await addAuditTrailColumns(db.knex, db.schema);
    });
    afterAll(async () => {
      await dropSchema(db).catch(() => undefined);
      await db.destroy();
    });

    it('purges entries past retention on its schedule, and the kept chain still verifies', async () => {
      const append = (action: string) => db.knex.transaction((trx) => appendAudit(trx, db, actor, { action, teacherIds: [], result: 'ok' }));
      await append('old');
      // Age the first entry as if written 200 days ago (behind the trigger, as only a superuser could).
      const table = db.t('audit_log');
      await db.knex.raw('alter table ?? disable trigger audit_log_append_only', [table]);
      await db.knex(table).where('action', 'old').update({ at: db.knex.raw(`now() - interval '200 days'`) });
      await db.knex.raw('alter table ?? enable trigger audit_log_append_only', [table]);
      await append('recent-1');
      await append('recent-2');

      const retention = startAuditRetention({ db, retentionDays: 183, intervalMs: 50, logger: createLogger('test', 'silent') });
      try {
        let left: string[] = [];
        for (let i = 0; i < 100; i++) {
          left = (await db.knex(table).select('action').orderBy('id')).map((r: { action: string }) => r.action);
          if (!left.includes('old')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(left).toEqual(['recent-1', 'recent-2']);
        expect(await verifyAuditChain(db)).toBeNull();
        expect(await retention.runNow()).toBe(0);
      } finally {
        await retention.stop();
      }
      await expect(db.knex(table).delete()).rejects.toThrow(/append-only/);
    });
  });
});
