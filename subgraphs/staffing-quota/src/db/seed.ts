import type { Db } from '../../../shared/src/db';
import type { DemoDataset } from '../../../shared/src/demo/dataset';
import { insertInBatches, seedTeacherScope } from '../../../shared/src/projections';

export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  const existing = await db.knex(db.t('org_scope')).first('org_id');
  if (existing) return false;
  await db.knex.transaction(async (trx) => {
    await seedTeacherScope(trx, db, dataset);
    await insertInBatches(trx, db.t('org_scope'), dataset.orgUnits.map((o) => ({ org_id: o.id, org_path: o.path })));
    await insertInBatches(
      trx,
      db.t('staffing_quota'),
      dataset.staffingQuotas.map((q) => ({ org_id: q.orgId, year: q.year, approved: q.approved })),
    );
    await insertInBatches(
      trx,
      db.t('employment'),
      dataset.employments.map((e) => ({ id: e.id, teacher_id: e.teacherId, org_id: e.orgId, on_quota: e.onQuota, starts_on: e.startsOn })),
    );
  });
  return true;
}
