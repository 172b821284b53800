import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { describeOnPostgres } from '../helpers/database';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import { payBandsByUnit, payBandsByUnitLive, type PayBandRow } from '../../subgraphs/teacher-registry/src/repositories/statistics';
import { startRegistry, type RegistryHarness } from '../teacher-registry/harness';

/**
 * The pay-band rollup (school rows, migration 20261129400100, and province sums, 20261130500100)
 * against the live statement, for every demo unit and viewers of every width (the nation and
 * provinces are answered from province rows only for a viewer scoped to a province or wider),
 * after each kind of write that changes a figure: pay entered through the API and ahead of time,
 * a retirement, a move across provinces, a deletion and a change of day. Then a write still open
 * while a reader recounts (PostgreSQL only).
 */
const data = buildDemoDataset();
const unitIds = data.orgUnits.map((u) => u.id);
const sorted = (rows: PayBandRow[]) => [...rows].sort((a, b) => a.unitId.localeCompare(b.unitId) || String(a.code).localeCompare(String(b.code)));
const PAY_ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('pay-band rollup equals the live count', () => {
  let h: RegistryHarness;
  const db = () => h.server.db;
  const t = (table: string) => db().t(table);

  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const viewers = (): Viewer[] => [
    h.viewer('national_query', 'CN'),
    h.viewer('analyst', 'CN'),
    h.viewer('province_query', '420000'),
    h.viewer('analyst', '620000'),
    h.viewer('city_query', '420100'),
    h.viewer('county_info_admin', '420111'),
  ];

  /** Every unit as every viewer; province rows equal the sums of their school rows; nothing left dirty. */
  async function expectRollupEqualsLive() {
    let national = 0;
    for (const viewer of viewers()) {
      const rollup = sorted(await payBandsByUnit(db(), viewer, unitIds));
      const live = sorted(await payBandsByUnitLive(db(), viewer, unitIds));
      expect(rollup).toEqual(live);
      if (viewer.orgId === 'CN') national = live.filter((r) => r.unitId === 'CN').reduce((s, r) => s + r.count, 0);
    }
    // The comparison is about real figures, not two empty answers.
    expect(national).toBeGreaterThan(0);
    const { rows: drift } = await db().knex.raw(
      `select coalesce(p.province_path, s.province_path) as province, coalesce(p.code, s.code) as code, p.count as province_count, s.count as school_sum
         from ?? p full join (select substring(school_path from '^/[^/]+/[^/]+/') as province_path, code, sum(count)::int as count from ?? group by 1, 2) s
           on s.province_path = p.province_path and s.code is not distinct from p.code
        where coalesce(p.count, 0) <> coalesce(s.count, 0)`,
      [t('pay_band_rollup_province'), t('pay_band_rollup')],
    );
    expect(drift).toEqual([]);
    expect(Number((await db().knex(t('pay_band_dirty')).count('* as n').first())!.n)).toBe(0);
  }

  const provinceCount = async (province: string) =>
    Number((await db().knex(t('pay_band_rollup_province')).where('province_path', `/CN/${province}/`).sum('count as n').first())!.n);

  it('matches after the demo load', async () => {
    await expectRollupEqualsLive();
  });

  it('matches after pay entered through the API and pay entered ahead of time', async () => {
    const [a, b] = data.teachers.filter((x) => x.orgPath.includes('/420111/'));
    const { data: added } = await h.graphql(h.viewer('school_info_admin', a!.schoolId), `mutation($i: AddPayRecordInput!) { addPayRecord(input: $i) { errors { code } } }`, {
      i: { teacherId: a!.id, postGrade: 1, salaryStep: 60, basicMonthlyPay: 16000, monthlyAllowances: 500, effectiveFrom: '2026-01-01' },
    });
    expect(added.addPayRecord.errors).toEqual([]);
    await expectRollupEqualsLive();
    const knex = db().knex;
    await knex(t('teacher_pay')).insert({ id: PAY_ID(1), teacher_id: b!.id, entered_by: 'test', entered_role: 'school_info_admin', post_grade: 5, salary_step: 30, basic_monthly_pay: 9000, monthly_allowances: 0, effective_from: knex.raw('current_date + 30') });
    await expectRollupEqualsLive();
  });

  it('matches after a retirement, a move across provinces and a deletion', async () => {
    const knex = db().knex;
    const [retiring, mover, deleted] = data.teachers.filter((x) => x.orgPath.includes('/420115/'));
    const hubei = await provinceCount('420000');
    const gansu = await provinceCount('620000');
    await knex(t('teacher')).where('id', retiring!.id).update({ status: 'retired' });
    await expectRollupEqualsLive();
    expect(await provinceCount('420000')).toBe(hubei - 1);
    const target = data.orgUnits.find((o) => o.id === '1162000101')!;
    await knex(t('teacher')).where('id', mover!.id).update({ school_id: target.id, org_path: target.path });
    await expectRollupEqualsLive();
    expect(await provinceCount('420000')).toBe(hubei - 2);
    expect(await provinceCount('620000')).toBe(gansu + 1);
    await knex(t('teacher')).where('id', deleted!.id).delete();
    await expectRollupEqualsLive();
    expect(await provinceCount('420000')).toBe(hubei - 3);
  });

  it('matches after a change of day brings pay entered earlier into force', async () => {
    const knex = db().knex;
    const teacher = data.teachers.find((x) => x.orgPath.includes('/621121/'))!;
    // A row written while triggers were off (as if entered long ago) takes effect "since the
    // rollup's day", which the reader notices by itself.
    await knex.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx(t('teacher_pay')).insert({ id: PAY_ID(2), teacher_id: teacher.id, entered_by: 'test', entered_role: 'school_info_admin', post_grade: 2, salary_step: 50, basic_monthly_pay: 29000, monthly_allowances: 2000, effective_from: knex.raw('current_date - 1') });
      await trx(t('pay_band_rollup_state')).update({ as_of: knex.raw('current_date - 2') });
    });
    await expectRollupEqualsLive();
    const [{ n }] = (await knex.raw(`select count(*)::int as n from ?? where province_path = '/CN/620000/' and code = '15000_and_over'`, [t('pay_band_rollup_province')])).rows;
    expect(n).toBe(1);
  });
});

/**
 * A write still open while a reader recounts: the reader must neither count it nor lose its mark.
 * Needs two connections at once, so PostgreSQL only (the embedded database has one).
 */
describeOnPostgres('pay-band rollup with a write in flight', () => {
  let h: RegistryHarness;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps the mark of a write that commits after a reader recounted', async () => {
    const { db } = h.server;
    const national = h.viewer('national_query', 'CN');
    const teacher = data.teachers.find((x) => x.orgPath.includes('/420111/'))!;
    const top = async () => (await payBandsByUnit(db, national, ['CN', teacher.schoolId])).filter((r) => r.code === '15000_and_over');
    const liveTop = async () => (await payBandsByUnitLive(db, national, ['CN', teacher.schoolId])).filter((r) => r.code === '15000_and_over');
    const count = (rows: PayBandRow[], unit: string) => rows.find((r) => r.unitId === unit)?.count ?? 0;
    await top(); // the demo load's marks recounted
    // A mark already committed for the school (an earlier write nobody has read since).
    await db.knex(db.t('pay_band_dirty')).insert({ school_id: teacher.schoolId });
    const before = await liveTop();
    const trx = await db.knex.transaction();
    try {
      await trx(db.t('teacher_pay')).insert({ id: PAY_ID(3), teacher_id: teacher.id, entered_by: 'test', entered_role: 'school_info_admin', post_grade: 1, salary_step: 60, basic_monthly_pay: 30000, monthly_allowances: 0, effective_from: trx.raw('current_date') });
      // The reader runs while the write is open: it sees the school as before the write.
      const during = await top();
      expect(count(during, teacher.schoolId)).toBe(count(before, teacher.schoolId));
      expect(count(during, 'CN')).toBe(count(before, 'CN'));
      await trx.commit();
    } catch (error) {
      await trx.rollback();
      throw error;
    }
    const after = await liveTop();
    expect(count(after, teacher.schoolId)).toBe(count(before, teacher.schoolId) + 1);
    // The committed write is counted, in the school and the nation: its school's mark survived the reader.
    const read = await top();
    expect(count(read, teacher.schoolId)).toBe(count(after, teacher.schoolId));
    expect(count(read, 'CN')).toBe(count(after, 'CN'));
  });
});
