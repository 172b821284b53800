import type { Db } from '../../../shared/src/db';
import type { DemoDataset } from '../../../shared/src/demo/dataset';
import { insertInBatches, seedTeacherScope } from '../../../shared/src/projections';
import { buildDemoEthics, DEMO_HIGH_PERFORMING_UNITS } from './demo-ethics';

export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  const existing = await db.knex(db.t('teacher_scope')).first('teacher_id');
  if (existing) return false;
  await db.knex.transaction(async (trx) => {
    await seedTeacherScope(trx, db, dataset);
    await insertInBatches(
      trx,
      db.t('annual_assessment'),
      dataset.assessments.map((a) => ({ id: a.id, teacher_id: a.teacherId, year: a.year, grade: a.grade, assessed_by_org_id: a.assessedByOrgId })),
    );
    await insertInBatches(trx, db.t('ethics_entry'), buildDemoEthics(dataset));
    await insertInBatches(trx, db.t('high_performing_unit'), DEMO_HIGH_PERFORMING_UNITS);
    // Every demo teacher's registration cycle runs with the province's training cycle, 2024–2028.
    await insertInBatches(
      trx,
      db.t('qualification_registration'),
      dataset.teachers.map((t) => ({ teacher_id: t.id, cycle_starts_on: '2024-01-01', deadline: '2028-12-31' })),
    );
  });
  return true;
}
