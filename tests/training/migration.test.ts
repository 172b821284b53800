import { randomUUID } from 'node:crypto';
import { dropSchema, migrateLatest, type SchemaMigration } from '../../subgraphs/shared/src/db';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { training } from '../../subgraphs/training/src';
import { testDb, uniqueSuffix } from '../helpers/database';

/**
 * Rows written before the credit bank are completed activities: the migration banks each one once,
 * under the rule of the teacher's province, or the national default (1 hour = 1 credit) when the
 * province has none yet.
 */
describe('training_record rows existing before the credit bank', () => {
  const db = testDb(`training_mig_${uniqueSuffix()}`);
  afterAll(async () => {
    await dropSchema(db);
    await db.destroy();
  });

  it('become one deposit each, and migrating again adds nothing', async () => {
    const index = training.migrations.findIndex((m) => m.name.startsWith('20261128120000'));
    const before: readonly SchemaMigration[] = training.migrations.slice(0, index);
    await migrateLatest(db, before);
    const known = randomUUID();
    const unknown = randomUUID();
    await db.knex(db.t('teacher_scope')).insert({ teacher_id: known, org_path: '/CN/420000/420100/420111/1142000101/' });
    const records = [
      { id: randomUUID(), teacher_id: known, title: '网络研修', form: 'online', hours: 30, completed_on: '2025-03-01' },
      { id: randomUUID(), teacher_id: known, title: '集中培训', form: 'centralised', hours: 24, completed_on: '2024-08-01' },
      { id: randomUUID(), teacher_id: unknown, title: '未知教师', form: 'online', hours: 10, completed_on: '2025-03-01' },
    ];
    await db.knex(db.t('training_record')).insert(records);

    await migrateLatest(db, training.migrations);
    const deposits = await db.knex(db.t('credit_ledger_entry')).select('training_record_id as recordId', 'hours', 'credits', 'province_code as provinceCode', 'entry_type as type');
    // The province has no rule of its own in a fresh database: the national default applies.
    expect(deposits).toHaveLength(2);
    for (const d of deposits) {
      expect(d).toMatchObject({ type: 'deposit', provinceCode: '420000' });
      expect(d.credits).toBe(d.hours);
    }
    const imported = await db.knex(db.t('training_record')).select('source').whereIn('id', records.map((r) => r.id));
    expect(imported.every((r: { source: string }) => r.source === 'imported')).toBe(true);
    expect(await migrateLatest(db, training.migrations)).toEqual([]);

    // The unknown teacher's record is banked when the registry's event makes the teacher known.
    const event = { id: randomUUID(), type: 'teacher.registered' as const, source: 'teacher-registry', occurredAt: new Date().toISOString(), payload: { teacherId: unknown, schoolId: '1162000101', orgPath: '/CN/620000/621100/621121/1162000101/' } };
    expect(await applyEvent(db, training.eventHandlers!, event, createLogger('test', 'silent'))).toBe('applied');
    const late = await db.knex(db.t('credit_ledger_entry')).first('province_code as provinceCode', 'credits').where('teacher_id', unknown);
    expect(late).toEqual({ provinceCode: '620000', credits: 10 });
  });
});
