import type { Db } from '../../../shared/src/db';
import type { DemoDataset } from '../../../shared/src/demo/dataset';
import { insertInBatches, seedTeacherScope } from '../../../shared/src/projections';

export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  const existing = await db.knex(db.t('training_cycle')).first('id');
  if (existing) return false;
  await db.knex.transaction(async (trx) => {
    await seedTeacherScope(trx, db, dataset);
    await trx(db.t('training_cycle')).insert([
      { id: '2019-2023', starts_on: '2019-01-01', ends_on: '2023-12-31', required_hours: 360 },
      { id: '2024-2028', starts_on: '2024-01-01', ends_on: '2028-12-31', required_hours: 360 },
    ]);
    await insertInBatches(
      trx,
      db.t('training_record'),
      dataset.trainingRecords.map((r) => ({ id: r.id, teacher_id: r.teacherId, title: r.title, form: r.form, hours: r.hours, completed_on: r.completedOn })),
    );
  });
  return true;
}
