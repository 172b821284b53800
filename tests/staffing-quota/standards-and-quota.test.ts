import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { countQueries } from '../helpers/query-counter';
import { startStaffing, type StaffingService } from './staffing-service';

const data = buildDemoDataset();
// 武汉市江夏区: a county-town complete secondary school and a rural primary school (Hubei).
const COUNTY = '420115';
const SECONDARY = '1142000201';
const RURAL_PRIMARY = '1142000202';

const STANDARDS = `#graphql
  query ($on: Date, $province: String) {
    staffingStandards(on: $on, provinceCode: $province) { provinceCode stage locale variant studentsPerStaff studentsPerStaffLow effectiveFrom effectiveTo }
    staffingExtraRules(on: $on, provinceCode: $province) { provinceCode kind boardersPerStaff staffPerClass belowStudents }
  }`;
const RECORD = `#graphql
  mutation ($input: RecordEnrolmentInput!) {
    recordEnrolment(input: $input) { enrolment { year students classes boarders version rows { stage grade students } } errors { code message field } }
  }`;
const UNIT = `#graphql
  query ($reps: [_Any!]!, $year: Int!) {
    _entities(representations: $reps) { ... on OrgUnit { id staffingQuota(year: $year) { approved occupied balance students standard standardGap } enrolment(year: $year) { students version } } }
  }`;
const SET_QUOTA = `#graphql
  mutation ($input: SetApprovedQuotaInput!) { setApprovedQuota(input: $input) { staffingQuota { year approved occupied balance standard } version errors { code message field } } }`;

const QUOTA_VERSION = `#graphql
  query ($reps: [_Any!]!, $year: Int!) { _entities(representations: $reps) { ... on OrgUnit { staffingQuota(year: $year) { approved version } } } }`;

const units = (...ids: string[]) => ids.map((id) => ({ __typename: 'OrgUnit', id }));
const primaryRows = (perGrade: number[], classes: number[], boarders: number[]) =>
  perGrade.map((students, i) => ({ stage: 'PRIMARY', grade: i + 1, students, classes: classes[i], boarders: boarders[i] }));
const secondaryRows = () => [
  ...[1, 2, 3].map((grade) => ({ stage: 'JUNIOR_SECONDARY', grade, students: 100, classes: 2, boarders: 0 })),
  ...[1, 2, 3].map((grade) => ({ stage: 'SENIOR_SECONDARY', grade, students: 125, classes: 3, boarders: 0 })),
];

describe('staffing standards as data', () => {
  let s: StaffingService;
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('answers the unified 2014 ratios today and the older city / county-town / rural ratios before', async () => {
    const analyst = s.viewer('analyst', '420000');
    const now = await s.call(analyst, STANDARDS, { on: '2020-09-01' });
    expect(now.errors).toBeUndefined();
    const ratio = (rows: any[], stage: string, locale: string | null = null, variant = 'ALL') =>
      rows.find((r) => r.stage === stage && r.locale === locale && r.variant === variant && r.provinceCode === null);
    const today = now.data.staffingStandards;
    expect(ratio(today, 'SENIOR_SECONDARY').studentsPerStaff).toBe(12.5);
    expect(ratio(today, 'JUNIOR_SECONDARY').studentsPerStaff).toBe(13.5);
    expect(ratio(today, 'PRIMARY').studentsPerStaff).toBe(19);
    expect(ratio(today, 'PRIMARY', null).effectiveFrom).toBe('2014-11-13');
    expect(ratio(today, 'KINDERGARTEN', null, 'FULL_DAY')).toMatchObject({ studentsPerStaff: 7, studentsPerStaffLow: 5 });
    expect(ratio(today, 'KINDERGARTEN', null, 'HALF_DAY')).toMatchObject({ studentsPerStaff: 13, studentsPerStaffLow: 11 });
    // Only the unified ratios are in force after 2014: no locale-specific row for schools.
    expect(today.filter((r: any) => r.locale !== null)).toEqual([]);

    const before = (await s.call(analyst, STANDARDS, { on: '2010-09-01' })).data.staffingStandards;
    expect([ratio(before, 'SENIOR_SECONDARY', 'URBAN'), ratio(before, 'SENIOR_SECONDARY', 'COUNTY_TOWN'), ratio(before, 'SENIOR_SECONDARY', 'RURAL')].map((r) => r.studentsPerStaff)).toEqual([12.5, 13, 13.5]);
    expect([ratio(before, 'JUNIOR_SECONDARY', 'URBAN'), ratio(before, 'JUNIOR_SECONDARY', 'COUNTY_TOWN'), ratio(before, 'JUNIOR_SECONDARY', 'RURAL')].map((r) => r.studentsPerStaff)).toEqual([13.5, 16, 18]);
    expect([ratio(before, 'PRIMARY', 'URBAN'), ratio(before, 'PRIMARY', 'COUNTY_TOWN'), ratio(before, 'PRIMARY', 'RURAL')].map((r) => r.studentsPerStaff)).toEqual([19, 21, 23]);
    expect(ratio(before, 'PRIMARY', 'RURAL').effectiveTo).toBe('2014-11-12');
  });

  it('lists provincial extras for boarding and small rural teaching points, by province', async () => {
    const body = await s.call(s.viewer('analyst', '420000'), STANDARDS, { on: '2026-09-01', province: '420000' });
    expect(body.data.staffingExtraRules).toEqual([
      { provinceCode: '420000', kind: 'BOARDING', boardersPerStaff: 40, staffPerClass: null, belowStudents: null },
      { provinceCode: '420000', kind: 'SMALL_TEACHING_POINT', boardersPerStaff: null, staffPerClass: 1.5, belowStudents: 200 },
    ]);
    const bad = await s.call(s.viewer('analyst', '420000'), STANDARDS, { province: '4200' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'provinceCode' });
  });
});

describe('enrolment, standard quota, approved quota and balances', () => {
  let s: StaffingService;
  const countyAdmin = () => s.viewer('county_info_admin', COUNTY);
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('computes a hand-checked standard quota with the provincial extras and rolls it up every level', async () => {
    // Rural primary, 120 pupils in 6 classes, 60 boarders, Hubei 2031:
    //   ratio 120 / 19 = 6.32; small teaching point (rural, < 200 pupils) 6 classes × 1.5 = 9 → 9;
    //   boarding 60 / 40 = 1.5 → 10.5 → 11.
    const rural = await s.call(countyAdmin(), RECORD, {
      input: { schoolId: RURAL_PRIMARY, year: 2031, rows: primaryRows([20, 20, 20, 20, 20, 20], [1, 1, 1, 1, 1, 1], [10, 10, 10, 10, 10, 10]) },
    });
    expect(rural.data.recordEnrolment).toMatchObject({ errors: [], enrolment: { year: 2031, students: 120, classes: 6, boarders: 60, version: 1 } });
    // County-town complete secondary: 300 junior / 13.5 = 22.22 + 375 senior / 12.5 = 30 → 52.22 → 53.
    const secondary = await s.call(countyAdmin(), RECORD, { input: { schoolId: SECONDARY, year: 2031, rows: secondaryRows() } });
    expect(secondary.data.recordEnrolment.errors).toEqual([]);

    const body = await s.call(s.viewer('national_query', 'CN'), UNIT, { reps: units(RURAL_PRIMARY, SECONDARY, COUNTY, '420100', '420000', 'CN'), year: 2031 });
    expect(body.errors).toBeUndefined();
    const [ruralQ, secondaryQ, county, city, province, nation] = body.data._entities.map((u: any) => u.staffingQuota);
    expect(ruralQ).toMatchObject({ students: 120, standard: 11 });
    expect(secondaryQ).toMatchObject({ students: 675, standard: 53 });
    for (const level of [county, city, province, nation]) expect(level).toMatchObject({ students: 795, standard: 64 });
    expect(county.standardGap).toBe(64 - county.occupied);
  });

  it('uses the pre-2014 county-town ratios for an earlier school year', async () => {
    // 2013: junior 300 / 16 = 18.75, senior 375 / 13 = 28.85 → 47.6 → 48 (Hubei extras start in 2015).
    const rec = await s.call(countyAdmin(), RECORD, { input: { schoolId: SECONDARY, year: 2013, rows: secondaryRows() } });
    expect(rec.data.recordEnrolment.errors).toEqual([]);
    const body = await s.call(countyAdmin(), UNIT, { reps: units(SECONDARY), year: 2013 });
    expect(body.data._entities[0].staffingQuota).toMatchObject({ students: 675, standard: 48 });
  });

  it('replaces a year only with the current version and refuses a stale one', async () => {
    const again = await s.call(countyAdmin(), RECORD, { input: { schoolId: SECONDARY, year: 2031, rows: secondaryRows() } });
    expect(again.data.recordEnrolment).toMatchObject({ enrolment: null, errors: [{ code: 'CONFLICT', field: ['input', 'version'] }] });
    const ok = await s.call(countyAdmin(), RECORD, { input: { schoolId: SECONDARY, year: 2031, rows: secondaryRows(), version: 1 } });
    expect(ok.data.recordEnrolment.enrolment.version).toBe(2);
    const stale = await s.call(countyAdmin(), RECORD, { input: { schoolId: SECONDARY, year: 2031, rows: secondaryRows(), version: 1 } });
    expect(stale.data.recordEnrolment.errors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
  });

  it('answers bad enrolment with a clear error naming the field and stores nothing', async () => {
    const stored = () => s.server.db.knex(s.server.db.t('enrolment')).where('year', 2032).count('* as n').first().then((r) => Number(r?.n));
    const cases: [Record<string, unknown>, { code: string; field: string[] }][] = [
      [{ schoolId: RURAL_PRIMARY, rows: primaryRows([20, -5], [1, 1], [0, 0]) }, { code: 'INVALID_INPUT', field: ['input', 'rows', '1', 'students'] }],
      [{ schoolId: RURAL_PRIMARY, rows: primaryRows([20], [1], [30]) }, { code: 'INVALID_INPUT', field: ['input', 'rows', '0', 'boarders'] }],
      [{ schoolId: RURAL_PRIMARY, rows: [{ stage: 'PRIMARY', grade: 7, students: 20, classes: 1, boarders: 0 }] }, { code: 'INVALID_INPUT', field: ['input', 'rows', '0', 'grade'] }],
      [{ schoolId: RURAL_PRIMARY, rows: [...primaryRows([20], [1], [0]), ...primaryRows([30], [1], [0])] }, { code: 'DUPLICATE', field: ['input', 'rows', '1', 'grade'] }],
      [{ schoolId: RURAL_PRIMARY, rows: [{ stage: 'SENIOR_SECONDARY', grade: 1, students: 20, classes: 1, boarders: 0 }] }, { code: 'INVALID_INPUT', field: ['input', 'rows', '0', 'stage'] }],
      [{ schoolId: '1142009999', rows: primaryRows([20], [1], [0]) }, { code: 'NOT_FOUND', field: ['input', 'schoolId'] }],
      [{ schoolId: COUNTY, rows: primaryRows([20], [1], [0]) }, { code: 'INVALID_INPUT', field: ['input', 'schoolId'] }],
      // A neighbouring county's school is answered like an unknown one.
      [{ schoolId: '1142000101', rows: primaryRows([20], [1], [0]) }, { code: 'NOT_FOUND', field: ['input', 'schoolId'] }],
      [{ schoolId: RURAL_PRIMARY, rows: [] }, { code: 'INVALID_INPUT', field: ['input', 'rows'] }],
    ];
    for (const [input, expected] of cases) {
      const body = await s.call(countyAdmin(), RECORD, { input: { year: 2032, ...input } });
      expect(body.data.recordEnrolment.enrolment).toBeNull();
      expect(body.data.recordEnrolment.errors).toContainEqual(expect.objectContaining(expected));
    }
    expect(await stored()).toBe(0);
  });

  it('lets a unit above set the approved quota, never the unit itself, and refuses negatives', async () => {
    const set = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2031, approved: 11 } });
    expect(set.data.setApprovedQuota).toMatchObject({ errors: [], staffingQuota: { year: 2031, approved: 11, standard: 11 } });
    const own = await s.call(s.viewer('school_info_admin', RURAL_PRIMARY), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2031, approved: 50 } });
    expect(own.data.setApprovedQuota.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'orgUnitId'] })]);
    const negative = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2031, approved: -1 } });
    expect(negative.data.setApprovedQuota.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'approved'] })]);
    const unknown = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: '999999', year: 2031, approved: 3 } });
    expect(unknown.data.setApprovedQuota.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    const row = await s.server.db.knex(s.server.db.t('staffing_quota')).where({ org_id: RURAL_PRIMARY, year: 2031 }).first();
    expect(row.approved).toBe(11);
    // A query account reads but cannot write.
    const query = await s.call(s.viewer('county_query', COUNTY), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2031, approved: 2 } });
    expect(query.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses the second of two writers who read the same quota version, and keeps the first value', async () => {
    const stored = () => s.server.db.knex(s.server.db.t('staffing_quota')).where({ org_id: RURAL_PRIMARY, year: 2040 }).first();
    // Another administrator's view of the unit: the quota's version comes from the query, not from a write.
    const readVersion = async () => {
      const res = await s.call(countyAdmin(), QUOTA_VERSION, { reps: units(RURAL_PRIMARY), year: 2040 });
      expect(res.errors).toBeUndefined();
      return res.data._entities[0].staffingQuota.version as number | null;
    };
    expect(await readVersion()).toBeNull(); // no quota approved for 2040 yet
    const created = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2040, approved: 8 } });
    expect(created.data.setApprovedQuota).toMatchObject({ errors: [], version: 1 });
    // Both administrators read version 1, the first from its write, the second through the query.
    const read = created.data.setApprovedQuota.version;
    const secondRead = await readVersion();
    expect(secondRead).toBe(read);
    const firstWriter = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2040, approved: 9, version: read } });
    expect(firstWriter.data.setApprovedQuota).toMatchObject({ errors: [], version: read + 1, staffingQuota: { year: 2040, approved: 9 } });
    const secondWriter = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2040, approved: 12, version: secondRead } });
    expect(secondWriter.data.setApprovedQuota).toMatchObject({ staffingQuota: null, version: null });
    expect(secondWriter.data.setApprovedQuota.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    expect(await stored()).toMatchObject({ approved: 9, version: read + 1 });
    // After reloading, the second writer sees the new version through the query and its write goes through.
    const reloaded = await readVersion();
    expect(reloaded).toBe(read + 1);
    const retried = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2040, approved: 12, version: reloaded } });
    expect(retried.data.setApprovedQuota).toMatchObject({ errors: [], version: read + 2, staffingQuota: { year: 2040, approved: 12 } });
    expect(await readVersion()).toBe(read + 2);
    // The version is the unit's own row: the county above has approved nothing for 2040 itself. A
    // viewer of another province has no balance of this unit at all, hence no version.
    const county = await s.call(countyAdmin(), QUOTA_VERSION, { reps: units(COUNTY), year: 2040 });
    expect(county.data._entities[0].staffingQuota).toMatchObject({ approved: 12, version: null });
    const outsider = await s.call(s.viewer('county_info_admin', '110105'), QUOTA_VERSION, { reps: units(RURAL_PRIMARY), year: 2040 });
    expect(outsider.errors).toBeUndefined();
    expect(outsider.data._entities[0].staffingQuota).toBeNull();
    // Without a version it is a deliberate overwrite.
    const overwrite = await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: RURAL_PRIMARY, year: 2040, approved: 10 } });
    expect(overwrite.data.setApprovedQuota).toMatchObject({ errors: [], version: read + 3 });
    expect(await stored()).toMatchObject({ approved: 10, version: read + 3 });
  });

  it('keeps the balance of a whole level in one statement and scopes it to the viewer', async () => {
    const schools = data.orgUnits.filter((o) => o.level === 'school').map((o) => o.id);
    const ask = () =>
      s.call(s.viewer('national_query', 'CN'), `#graphql
        query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id staffingQuota(year: 2026) { approved occupied standard } } } }`, { reps: units(...schools) });
    // The first read after a write brings the quota figures cache (quota_rollup) up to date; counted: a current cache.
    await ask();
    const { result, count } = await countQueries([s.server.db.knex], ask);
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toHaveLength(20);
    expect(count).toBe(1);
    const approved = data.staffingQuotas.filter((q) => q.year === 2026).reduce((sum, q) => sum + q.approved, 0);
    expect(result.data._entities.reduce((sum: number, u: any) => sum + u.staffingQuota.approved, 0)).toBe(approved);

    const neighbour = await s.call(s.viewer('county_query', '420111'), UNIT, { reps: units(SECONDARY, '420111'), year: 2026 });
    expect(neighbour.data._entities[0].staffingQuota).toBeNull();
    expect(neighbour.data._entities[1].staffingQuota.approved).toBeGreaterThan(0);
  });

  it('gives viewers who may not see persons the quota and the standard, not the count of on-quota teachers', async () => {
    const reps = units('420111', '420000');
    const exact = await s.call(s.viewer('national_query', 'CN'), UNIT, { reps, year: 2026 });
    for (const role of ['analyst', 'national_system_admin'] as const) {
      const body = await s.call(s.viewer(role, 'CN'), UNIT, { reps, year: 2026 });
      expect(body.errors).toBeUndefined();
      body.data._entities.forEach((e: any, i: number) => {
        const x = exact.data._entities[i].staffingQuota;
        // The registry alone publishes teacher counts to them (statistics.onQuota, decided level by level).
        expect([role, e.staffingQuota]).toEqual([role, { ...x, occupied: null, balance: null, standardGap: null }]);
        expect(x.occupied).toBeGreaterThan(0);
      });
    }
  });
});
