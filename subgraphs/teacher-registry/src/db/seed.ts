import type { Db } from '../../../shared/src/db';
import type { DemoDataset } from '../../../shared/src/demo/dataset';
import { insertInBatches } from '../../../shared/src/projections';
import { buildDemoArchive } from './demo-archive';

/** Loads the organisation tree, the teachers' archives and their sub-records, once. */
export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  const existing = await db.knex(db.t('org_unit')).first('id');
  if (existing) return false;
  const archive = buildDemoArchive(dataset);
  await db.knex.transaction(async (trx) => {
    // Parents before children: the dataset lists the tree top-down.
    await insertInBatches(
      trx,
      db.t('org_unit'),
      dataset.orgUnits.map((o) => ({
        id: o.id,
        parent_id: o.parentId,
        name: o.name,
        level: o.level,
        path: o.path,
        school_stage: o.schoolStage,
        locale: o.locale,
        is_public: o.isPublic,
      })),
    );
    await insertInBatches(
      trx,
      db.t('teacher'),
      dataset.teachers.map((t) => ({
        id: t.id,
        national_teacher_number: t.nationalTeacherNumber,
        name: t.name,
        gender: t.gender,
        birth_date: t.birthDate,
        school_id: t.schoolId,
        org_path: t.orgPath,
        ...archive.teacherColumns.get(t.id),
      })),
      200,
    );
    for (const [table, rows] of Object.entries(archive.subRecords)) await insertInBatches(trx, db.t(table), rows, 300);
  });
  return true;
}
