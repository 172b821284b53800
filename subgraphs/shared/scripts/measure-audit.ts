/**
 * Cost of the audit trail on real PostgreSQL: an audited write transaction against the same write
 * without its audit entry, and the chain verification an auditor query runs per service.
 *   DATABASE_URL=postgres://… npx tsx subgraphs/shared/scripts/measure-audit.ts [writes] [trail rows, default 10000]
 */
import { addAuditTrailColumns, appendAudit, createAuditTable, verifyAuditWindow } from '../src/audit';
import { createDb, dropSchema } from '../src/db';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL');
  const n = Number(process.argv[2] ?? 2000);
  const db = createDb({ url, schema: `measure_audit_${process.pid}`, poolMax: 4, statementTimeoutMs: 15000, applicationName: 'measure-audit' });
  await db.knex.raw('create schema ??', [db.schema]);
  try {
    await createAuditTable(db.knex, db.schema);
    await addAuditTrailColumns(db.knex, db.schema);
    await db.knex.schema.withSchema(db.schema).createTable('w', (t) => {
      t.bigIncrements('id');
      t.text('v');
    });
    const actor = { subject: 'm', role: 'county_info_admin', orgId: '420111', orgPath: '/CN/420000/420100/420111/' };
    const teacherIds = ['0b7e8f8e-1f7a-4a55-9a57-3b1e7d8c1a01'];
    const run = async (audited: boolean) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        await db.knex.transaction(async (trx) => {
          await trx(db.t('w')).insert({ v: `x${i}` });
          if (audited) await appendAudit(trx, db, actor, { action: 'measure', teacherIds, result: 'ok', detail: { i } });
        });
      }
      return Number(process.hrtime.bigint() - start) / 1e6 / n;
    };
    await run(false); // warm-up
    const plain = await run(false);
    const audited = await run(true);
    // Fill the trail up to the verification window, then time one verification as an auditor query runs it.
    const fill = Number(process.argv[3] ?? 10_000);
    await db.knex.transaction(async (trx) => {
      for (let i = n; i < fill; i++) await appendAudit(trx, db, actor, { action: 'fill', teacherIds, result: 'ok', detail: { i } });
    });
    const rows = Number((await db.knex(db.t('audit_log')).count('* as n').first())?.n);
    const t0 = process.hrtime.bigint();
    const verdict = await verifyAuditWindow(db, { window: 10_000 });
    const verifyMs = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(JSON.stringify({ writes: n, plainMsPerWrite: plain.toFixed(3), auditedMsPerWrite: audited.toFixed(3), overheadMs: (audited - plain).toFixed(3), trailRows: rows, verifyWindow: verdict.checked, verified: verdict.brokenAt === null, verifyMs: verifyMs.toFixed(1) }));
  } finally {
    await dropSchema(db).catch(() => undefined);
    await db.destroy();
  }
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
