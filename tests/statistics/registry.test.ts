import { MIN_CELL_SIZE } from '../../subgraphs/shared/src/small-cells';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { payBand } from '../../subgraphs/teacher-registry/src/services/pay';
import { payBandsByUnit, payBandsByUnitLive } from '../../subgraphs/teacher-registry/src/repositories/statistics';
import { startRegistry, type RegistryHarness } from '../teacher-registry/harness';

/**
 * Registry statistics by every dimension the policy names, over a subtree, as record readers see
 * them (exact) and as analysts see them (small cells suppressed), checked against the database.
 */
const data = buildDemoDataset();
const hongshanTeacher = data.teachers.find((t) => t.orgPath.includes('/420111/'))!;

const DIMENSIONS = ['byGender', 'byStaffCategory', 'byTitle', 'byEducationLevel', 'byStage', 'byLocale', 'bySubject', 'byAgeBand', 'byOnQuota', 'byPayBand'] as const;
const STATS = `query($id: ID!) { orgUnit(id: $id) { statistics { activeTeachers onQuota
  ${DIMENSIONS.map((d) => `${d} { code label count }`).join(' ')}
  byTitleAndAgeBand { rowCode rowLabel columnCode columnLabel count suppressed } } } }`;

type Bucket = { code: string | null; label: string; count: number };
type Cell = { rowCode: string | null; columnCode: string | null; count: number | null; suppressed: boolean };
const sum = (buckets: { count: number | null }[]) => buckets.reduce((s, b) => s + (b.count ?? 0), 0);

describe('registry statistics by every dimension', () => {
  let h: RegistryHarness;
  const knex = () => h.server.db.knex;
  const t = (table: string) => h.server.db.t(table);
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('counts every dimension of a county exactly for its query account, each adding up to the active teachers', async () => {
    const { data: body, errors } = await h.graphql(h.viewer('county_query', '420111'), STATS, { id: '420111' });
    expect(errors).toBeUndefined();
    const stats = body.orgUnit.statistics;
    const active = await knex()(t('teacher')).where('status', 'active').whereLike('org_path', '%/420111/%').count<{ count: string }[]>('* as count');
    expect(stats.activeTeachers).toBe(Number(active[0]!.count));
    expect(stats.activeTeachers).toBeGreaterThan(0);
    for (const dimension of DIMENSIONS) expect([dimension, sum(stats[dimension])]).toEqual([dimension, stats.activeTeachers]);
    expect(stats.byOnQuota.find((b: Bucket) => b.code === 'true')?.count).toBe(stats.onQuota);
    expect(stats.byOnQuota.find((b: Bucket) => b.code === 'true')?.label).toBe('在编');
  });

  it('puts every active teacher in the band of the pay in force today', async () => {
    const rows = await knex()
      .select('t.id', knex().raw('(select basic_monthly_pay + monthly_allowances from ?? p where p.teacher_id = t.id and p.effective_from <= current_date order by effective_from desc limit 1) as total', [t('teacher_pay')]))
      .from(`${t('teacher')} as t`)
      .where('t.status', 'active')
      .whereLike('t.org_path', '%/420111/%');
    const expected = new Map<string | null, number>();
    for (const row of rows) {
      const code = row.total == null ? null : payBand(Number(row.total)).code;
      expected.set(code, (expected.get(code) ?? 0) + 1);
    }
    expect(expected.size).toBeGreaterThan(2);
    const { data: body } = await h.graphql(h.viewer('county_query', '420111'), STATS, { id: '420111' });
    const got = new Map(body.orgUnit.statistics.byPayBand.map((b: Bucket) => [b.code, b.count]));
    expect(got).toEqual(expected);
    const band = body.orgUnit.statistics.byPayBand.find((b: Bucket) => b.code === '5000_5999');
    if (band) expect(band.label).toBe('5000–5999元');
  });

  it('cross-tabulates title × age band consistently with both one-way breakdowns', async () => {
    const { data: body } = await h.graphql(h.viewer('county_query', '420111'), STATS, { id: '420111' });
    const stats = body.orgUnit.statistics;
    const cells: Cell[] = stats.byTitleAndAgeBand;
    expect(cells.every((c) => !c.suppressed && c.count! > 0)).toBe(true);
    for (const title of stats.byTitle as Bucket[]) expect(sum(cells.filter((c) => c.rowCode === title.code))).toBe(title.count);
    for (const band of stats.byAgeBand as Bucket[]) expect(sum(cells.filter((c) => c.columnCode === band.code))).toBe(band.count);
  });

  it('suppresses small cells in every dimension and the cross-tab for analysts, keeping totals exact', async () => {
    const school = '1162000104'; // a small rural school: small cells are certain
    const exact = (await h.graphql(h.viewer('county_query', '621121'), STATS, { id: school })).data.orgUnit.statistics;
    const hidden = (await h.graphql(h.viewer('analyst', '620000'), STATS, { id: school })).data.orgUnit.statistics;
    expect(hidden.activeTeachers).toBe(exact.activeTeachers);
    let suppressedSomewhere = false;
    for (const dimension of DIMENSIONS) {
      const buckets: Bucket[] = hidden[dimension];
      expect([dimension, buckets.every((b) => b.count === 0 || b.count >= MIN_CELL_SIZE)]).toEqual([dimension, true]);
      expect([dimension, sum(buckets)]).toEqual([dimension, exact.activeTeachers]);
      if (buckets.some((b) => b.code === 'suppressed')) suppressedSomewhere = true;
    }
    expect(suppressedSomewhere).toBe(true);

    const cells: Cell[] = hidden.byTitleAndAgeBand;
    expect(cells.some((c) => c.suppressed)).toBe(true);
    for (const cell of cells) {
      if (cell.suppressed) expect(cell.count).toBeNull();
      else expect(cell.count!).toBeGreaterThanOrEqual(MIN_CELL_SIZE);
    }
    // A row or column with hidden cells holds at least two adding up to the minimum, so none can be
    // worked back out from the totals; unless every cell of it is hidden, and then so is its total.
    const exactCells: Cell[] = exact.byTitleAndAgeBand;
    const trueCount = (c: Cell) => exactCells.find((e) => e.rowCode === c.rowCode && e.columnCode === c.columnCode)!.count!;
    for (const [key, marginal] of [['rowCode', hidden.byTitle], ['columnCode', hidden.byAgeBand]] as const) {
      for (const value of new Set(cells.map((c) => c[key]))) {
        const group = cells.filter((c) => c[key] === value);
        const hiddenHere = group.filter((c) => c.suppressed);
        if (hiddenHere.length === 0) continue;
        if (hiddenHere.length === group.length) {
          const total = hiddenHere.reduce((s, c) => s + trueCount(c), 0);
          if (total < MIN_CELL_SIZE) expect((marginal as Bucket[]).some((b) => b.code === value)).toBe(false);
          continue;
        }
        expect(hiddenHere.length).toBeGreaterThanOrEqual(2);
        expect(hiddenHere.reduce((s, c) => s + trueCount(c), 0)).toBeGreaterThanOrEqual(MIN_CELL_SIZE);
      }
    }
  });

  it('scopes statistics to the viewer: a county never counts a neighbour, a neighbour county sees zero', async () => {
    const own = (await h.graphql(h.viewer('county_query', '420111'), STATS, { id: '420100' })).data.orgUnit.statistics;
    const whole = (await h.graphql(h.viewer('city_query', '420100'), STATS, { id: '420100' })).data.orgUnit.statistics;
    const hongshan = (await h.graphql(h.viewer('city_query', '420100'), STATS, { id: '420111' })).data.orgUnit.statistics;
    // Asking for the whole city, the county counts only its own teachers.
    expect(own.activeTeachers).toBe(hongshan.activeTeachers);
    expect(whole.activeTeachers).toBeGreaterThan(own.activeTeachers);
    // Many units in one request (one pay-band statement for all of them): each adds up on its own.
    const many = await h.graphql(h.viewer('city_query', '420100'), `{ orgUnit(id: "420100") { children { id statistics { activeTeachers byPayBand { code count } } } } }`);
    expect(many.errors).toBeUndefined();
    const children = many.data.orgUnit.children;
    expect(children.length).toBeGreaterThan(1);
    for (const child of children) expect([child.id, sum(child.statistics.byPayBand)]).toEqual([child.id, child.statistics.activeTeachers]);
    const neighbour = (await h.graphql(h.viewer('county_query', '420115'), STATS, { id: '420111' })).data.orgUnit.statistics;
    expect(neighbour.activeTeachers).toBe(0);
    for (const dimension of DIMENSIONS) expect(sum(neighbour[dimension])).toBe(0);
    expect(neighbour.byTitleAndAgeBand).toEqual([]);
  });
});

describe('pay-band rollup', () => {
  let h: RegistryHarness;
  const db = () => h.server.db;
  const units = ['CN', '420000', '420100', '420111', '420115', '1142000101', '1142000102', '621121'];
  const sorted = (rows: { unitId: string; code: string | null; count: number }[]) =>
    [...rows].sort((a, b) => a.unitId.localeCompare(b.unitId) || String(a.code).localeCompare(String(b.code)));
  const expectSameAsLive = async () => {
    const analyst = h.viewer('analyst', 'CN');
    expect(sorted(await payBandsByUnit(db(), analyst, units))).toEqual(sorted(await payBandsByUnitLive(db(), analyst, units)));
  };
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stays equal to the live count after pay entries, status changes, moves, deletions and a change of day', async () => {
    await expectSameAsLive();
    const knex = db().knex;
    const t = (table: string) => db().t(table);
    const [a, b, c] = data.teachers.filter((x) => x.orgPath.includes('/420111/'));
    // Pay through the API, a pay row entered ahead of time, and its day coming.
    const { data: added } = await h.graphql(h.viewer('school_info_admin', a!.schoolId), `mutation($i: AddPayRecordInput!) { addPayRecord(input: $i) { errors { code } } }`, {
      i: { teacherId: a!.id, postGrade: 1, salaryStep: 60, basicMonthlyPay: 16000, monthlyAllowances: 500, effectiveFrom: '2026-01-01' },
    });
    expect(added.addPayRecord.errors).toEqual([]);
    await expectSameAsLive();
    await knex(t('teacher_pay')).insert({ id: '00000000-0000-4000-8000-000000000001', teacher_id: b!.id, entered_by: 'test', entered_role: 'school_info_admin', post_grade: 5, salary_step: 30, basic_monthly_pay: 9000, monthly_allowances: 0, effective_from: knex.raw("current_date + 30") });
    await expectSameAsLive();
    // A teacher retires, another moves to a school of another county, a draft archive is deleted.
    await knex(t('teacher')).where('id', b!.id).update({ status: 'retired' });
    await expectSameAsLive();
    const target = data.orgUnits.find((o) => o.id === '1142000201')!;
    await knex(t('teacher')).where('id', c!.id).update({ school_id: target.id, org_path: target.path });
    await expectSameAsLive();
    await knex(t('teacher')).where('id', a!.id).delete();
    await expectSameAsLive();
    // The calendar moves: a row written while triggers were off (as if entered long ago) takes effect
    // "since the rollup's day", which the reader notices by itself.
    await knex.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx(t('teacher_pay')).insert({ id: '00000000-0000-4000-8000-000000000002', teacher_id: c!.id, entered_by: 'test', entered_role: 'school_info_admin', post_grade: 2, salary_step: 50, basic_monthly_pay: 14000, monthly_allowances: 2000, effective_from: knex.raw('current_date - 1') });
      await trx(t('pay_band_rollup_state')).update({ as_of: knex.raw('current_date - 2') });
    });
    await expectSameAsLive();
  });
});

const PAY = `query($id: ID!) { teacher(id: $id) { payRecords { postGrade salaryStep effectiveFrom basicMonthlyPayBand monthlyAllowancesBand totalMonthlyPayBand basicMonthlyPay monthlyAllowances provenance { enteredRole } } } }`;
const ADD_PAY = `mutation($input: AddPayRecordInput!) { addPayRecord(input: $input) { recordId teacher { payRecords { effectiveFrom totalMonthlyPayBand } } errors { code message field } } }`;
const REVEAL_PAY = `mutation($input: RevealPayInput!) { revealPay(input: $input) { payRecords { effectiveFrom basicMonthlyPay monthlyAllowances } errors { code field } } }`;

describe('pay records [基本待遇]', () => {
  let h: RegistryHarness;
  const audit = () => h.server.db.knex(h.server.db.t('audit_log')).select('*').orderBy('id');
  const payRows = () => h.server.db.knex(h.server.db.t('teacher_pay')).where('teacher_id', hongshanTeacher.id).orderBy('effective_from');
  const schoolAdmin = () => h.viewer('school_info_admin', hongshanTeacher.schoolId);
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('is entered by the school information administrator and shown as bands, each read audited', async () => {
    const before = (await payRows()).length;
    const input = { teacherId: hongshanTeacher.id, postGrade: 9, salaryStep: 21, basicMonthlyPay: 4321.5, monthlyAllowances: 2500, effectiveFrom: '2026-01-01' };
    const { data: added } = await h.graphql(schoolAdmin(), ADD_PAY, { input });
    expect(added.addPayRecord.errors).toEqual([]);
    expect(added.addPayRecord.teacher.payRecords.at(-1)).toEqual({ effectiveFrom: '2026-01-01', totalMonthlyPayBand: '6000–6999元' });
    expect(await payRows()).toHaveLength(before + 1);

    const auditBefore = (await audit()).length;
    const { data: body } = await h.graphql(h.viewer('county_query', '420111'), PAY, { id: hongshanTeacher.id });
    const record = body.teacher.payRecords.find((r: { effectiveFrom: string }) => r.effectiveFrom === '2026-01-01');
    expect(record).toEqual({
      postGrade: 9, salaryStep: 21, effectiveFrom: '2026-01-01', basicMonthlyPayBand: '4000–4999元', monthlyAllowancesBand: '2000–2999元',
      totalMonthlyPayBand: '6000–6999元', basicMonthlyPay: null, monthlyAllowances: null, provenance: { enteredRole: 'school_info_admin' },
    });
    expect(JSON.stringify(body)).not.toContain('4321');
    const rows = (await audit()).slice(auditBefore).filter((r: { action: string }) => r.action === 'read_pay');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'read_pay', role: 'county_query', teacher_ids: [hongshanTeacher.id], result: 'ok' });
  });

  it('refuses bad input naming the field, other levels, and teachers outside the school, storing nothing', async () => {
    const before = (await payRows()).length;
    const base = { teacherId: hongshanTeacher.id, postGrade: 9, salaryStep: 21, basicMonthlyPay: 4000, monthlyAllowances: 0, effectiveFrom: '2026-02-01' };
    const cases: [Record<string, unknown>, string][] = [
      [{ postGrade: 0 }, 'postGrade'],
      [{ postGrade: 14 }, 'postGrade'],
      [{ salaryStep: 66 }, 'salaryStep'],
      [{ basicMonthlyPay: -5 }, 'basicMonthlyPay'],
      [{ basicMonthlyPay: 0 }, 'basicMonthlyPay'],
      [{ basicMonthlyPay: 4000.123 }, 'basicMonthlyPay'],
      [{ monthlyAllowances: 1e9 }, 'monthlyAllowances'],
      [{ effectiveFrom: '1960-01-01' }, 'effectiveFrom'],
    ];
    for (const [override, field] of cases) {
      const { data: body } = await h.graphql(schoolAdmin(), ADD_PAY, { input: { ...base, ...override } });
      expect(body.addPayRecord.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', field] })]);
      expect(body.addPayRecord.errors[0].message).toContain(field);
    }
    const county = await h.graphql(h.viewer('county_info_admin', '420111'), ADD_PAY, { input: base });
    expect(county.data.addPayRecord.errors[0].code).toBe('RULE_VIOLATION');
    const otherSchool = data.orgUnits.find((o) => o.level === 'school' && o.id !== hongshanTeacher.schoolId)!;
    const outside = await h.graphql(h.viewer('school_info_admin', otherSchool.id), ADD_PAY, { input: base });
    expect(outside.data.addPayRecord.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'teacherId'] });
    const asTeacher = await h.graphql(h.viewer('teacher', hongshanTeacher.schoolId, { teacherId: hongshanTeacher.id }), ADD_PAY, { input: base });
    expect(asTeacher.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await payRows()).toHaveLength(before);
  });

  it('reveals exact amounts only on an audited request with a reason, never to partners or analysts', async () => {
    const admin = h.viewer('county_info_admin', '420111');
    const before = (await audit()).length;
    const { data: body } = await h.graphql(admin, REVEAL_PAY, { input: { teacherId: hongshanTeacher.id, reason: '工资核定复核 (case 2026-201)' } });
    expect(body.revealPay.errors).toEqual([]);
    const stored = await payRows();
    expect(body.revealPay.payRecords).toEqual(stored.map((r) => ({ effectiveFrom: expect.any(String), basicMonthlyPay: Number(r.basic_monthly_pay), monthlyAllowances: Number(r.monthly_allowances) })));
    const noReason = await h.graphql(admin, REVEAL_PAY, { input: { teacherId: hongshanTeacher.id, reason: 'x' } });
    expect(noReason.data.revealPay).toEqual({ payRecords: [], errors: [{ code: 'INVALID_INPUT', field: ['input', 'reason'] }] });
    const neighbour = await h.graphql(h.viewer('county_info_admin', '420115'), REVEAL_PAY, { input: { teacherId: hongshanTeacher.id, reason: 'looking next door' } });
    expect(neighbour.data.revealPay.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'teacherId'] }]);
    // (The trail also records every write by its mutation name; pay reveals are action reveal_pay.)
    const rows = (await audit()).slice(before).filter((r: { action: string }) => r.action === 'reveal_pay');
    expect(rows.map((r: { action: string; result: string }) => [r.action, r.result])).toEqual([['reveal_pay', 'ok'], ['reveal_pay', 'refused'], ['reveal_pay', 'refused']]);
    expect(JSON.stringify(rows)).not.toContain(String(Number(stored[0]!.basic_monthly_pay)));

    const partner = await h.graphql(h.viewer('partner', '420000', { scopes: ['dossier:read'], clientId: 'demo-partner' }), PAY, { id: hongshanTeacher.id });
    expect(partner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const analyst = await h.graphql(h.viewer('analyst', '420000'), PAY, { id: hongshanTeacher.id });
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
