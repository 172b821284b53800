import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startStaffing, type StaffingService } from './staffing-service';

const data = buildDemoDataset();
const URBAN_PRIMARY = '1142000101'; // 武汉市洪山区广埠屯小学, Hubei

const STANDARD = `#graphql
  mutation ($input: RecordStaffingStandardInput!) {
    recordStaffingStandard(input: $input) { standard { provinceCode stage locale variant studentsPerStaff effectiveFrom effectiveTo source } errors { code message field } }
  }`;
const STANDARDS = `#graphql
  query ($on: Date) { staffingStandards(on: $on, provinceCode: "420000") { provinceCode stage studentsPerStaff effectiveFrom effectiveTo } }`;
const EXTRA = `#graphql
  mutation ($input: RecordStaffingExtraRuleInput!) { recordStaffingExtraRule(input: $input) { rule { kind boardersPerStaff effectiveFrom } errors { code field } } }`;
const ROTATION = `#graphql
  mutation ($input: RecordRotationParametersInput!) { recordRotationParameters(input: $input) { parameters { provinceCode minYearsAtSchool effectiveFrom } errors { code field } } }`;
const DESIGNATE = `#graphql
  mutation ($input: SetSchoolDesignationInput!) { setSchoolDesignation(input: $input) { designations errors { code field } } }`;
const EXEMPT = `#graphql
  mutation ($input: ExemptFromRotationInput!) { exemptFromRotation(input: $input) { exempted errors { code field } } }`;
const RECORD = `#graphql
  mutation ($input: RecordEnrolmentInput!) { recordEnrolment(input: $input) { errors { code field } } }`;

const hubeiPrimary = (extra: Record<string, unknown> = {}) => ({
  provinceCode: '420000',
  stage: 'PRIMARY',
  studentsPerStaff: 18,
  effectiveFrom: '2027-09-01',
  source: '鄂编办发〔2027〕1号 (demo)',
  ...extra,
});

describe('provincial reference data, effective-dated', () => {
  let s: StaffingService;
  const province = () => s.viewer('province_info_admin', '420000');
  const standardRows = () => s.server.db.knex(s.server.db.t('staffing_standard')).count('* as n').first().then((r) => Number(r?.n));
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('puts a provincial ratio in force from a date; the standard quota follows it', async () => {
    const recorded = await s.call(province(), STANDARD, { input: hubeiPrimary() });
    expect(recorded.data.recordStaffingStandard).toMatchObject({
      errors: [],
      standard: { provinceCode: '420000', stage: 'PRIMARY', locale: null, variant: 'ALL', studentsPerStaff: 18, effectiveFrom: '2027-09-01', effectiveTo: null },
    });
    const before = (await s.call(province(), STANDARDS, { on: '2027-08-31' })).data.staffingStandards;
    expect(before.filter((r: any) => r.provinceCode === '420000')).toEqual([]);
    const after = (await s.call(province(), STANDARDS, { on: '2027-09-01' })).data.staffingStandards;
    expect(after.filter((r: any) => r.stage === 'PRIMARY').map((r: any) => [r.provinceCode, r.studentsPerStaff])).toEqual([[null, 19], ['420000', 18]]);

    // 228 urban primary pupils: 228 / 19 = 12 nationally, 228 / 18 = 12.7 → 13 under the Hubei row.
    const rows = [1, 2, 3, 4, 5, 6].map((grade) => ({ stage: 'PRIMARY', grade, students: 38, classes: 1, boarders: 0 }));
    for (const year of [2026, 2028]) {
      const version = year === 2026 ? 1 : null;
      expect((await s.call(s.viewer('county_info_admin', '420111'), RECORD, { input: { schoolId: URBAN_PRIMARY, year, rows, version } })).data.recordEnrolment.errors).toEqual([]);
    }
    const quota = await s.call(province(), `#graphql
      { _entities(representations: [{ __typename: "OrgUnit", id: "${URBAN_PRIMARY}" }]) { ... on OrgUnit { y2026: staffingQuota(year: 2026) { standard } y2028: staffingQuota(year: 2028) { standard } } } }`);
    expect(quota.data._entities[0]).toEqual({ y2026: { standard: 12 }, y2028: { standard: 13 } });
  });

  it('closes the replaced row the day before and keeps rows in date order', async () => {
    const next = await s.call(province(), STANDARD, { input: hubeiPrimary({ studentsPerStaff: 17.5, effectiveFrom: '2029-09-01' }) });
    expect(next.data.recordStaffingStandard.errors).toEqual([]);
    const closed = (await s.call(province(), STANDARDS, { on: '2029-08-31' })).data.staffingStandards.find((r: any) => r.provinceCode === '420000');
    expect(closed).toMatchObject({ studentsPerStaff: 18, effectiveTo: '2029-08-31' });
    const count = await standardRows();
    const outOfOrder = await s.call(province(), STANDARD, { input: hubeiPrimary({ effectiveFrom: '2028-01-01' }) });
    expect(outOfOrder.data.recordStaffingStandard.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'effectiveFrom'] })]);
    expect(await standardRows()).toBe(count);
  });

  it('lets only the province (or the nation) change its data, and names bad fields', async () => {
    const count = await standardRows();
    const cases: [ReturnType<StaffingService['viewer']>, Record<string, unknown>, { code: string; field: string[] }][] = [
      [s.viewer('city_info_admin', '420100'), {}, { code: 'NOT_FOUND', field: ['input', 'provinceCode'] }],
      [s.viewer('province_info_admin', '110000'), {}, { code: 'NOT_FOUND', field: ['input', 'provinceCode'] }],
      [province(), { provinceCode: null }, { code: 'NOT_FOUND', field: ['input', 'provinceCode'] }],
      [province(), { provinceCode: '4200' }, { code: 'INVALID_INPUT', field: ['input', 'provinceCode'] }],
      [province(), { variant: 'FULL_DAY' }, { code: 'INVALID_INPUT', field: ['input', 'variant'] }],
      [province(), { studentsPerStaff: 0 }, { code: 'INVALID_INPUT', field: ['input', 'studentsPerStaff'] }],
      [province(), { studentsPerStaffLow: 30 }, { code: 'INVALID_INPUT', field: ['input', 'studentsPerStaffLow'] }],
      [province(), { source: ' ' }, { code: 'INVALID_INPUT', field: ['input', 'source'] }],
    ];
    for (const [viewer, extra, expected] of cases) {
      const body = await s.call(viewer, STANDARD, { input: hubeiPrimary({ effectiveFrom: '2030-09-01', ...extra }) });
      expect(body.data.recordStaffingStandard.standard).toBeNull();
      expect(body.data.recordStaffingStandard.errors).toContainEqual(expect.objectContaining(expected));
    }
    expect(await standardRows()).toBe(count);
    // The nation may record a national row.
    const national = await s.call(s.viewer('national_info_admin', 'CN'), STANDARD, {
      input: { stage: 'KINDERGARTEN', variant: 'FULL_DAY', studentsPerStaff: 7.5, studentsPerStaffLow: 5, effectiveFrom: '2031-01-01', source: 'demo national revision' },
    });
    expect(national.data.recordStaffingStandard.standard).toMatchObject({ provinceCode: null, variant: 'FULL_DAY', studentsPerStaff: 7.5 });
  });

  it('supersedes provincial extras and rotation parameters the same way', async () => {
    const boarding = await s.call(province(), EXTRA, { input: { provinceCode: '420000', kind: 'BOARDING', boardersPerStaff: 30, effectiveFrom: '2027-01-01', source: 'demo' } });
    expect(boarding.data.recordStaffingExtraRule).toMatchObject({ errors: [], rule: { kind: 'BOARDING', boardersPerStaff: 30, effectiveFrom: '2027-01-01' } });
    const old = await s.server.db.knex(s.server.db.t('staffing_extra_rule')).where({ province_code: '420000', kind: 'boarding', effective_from: '2015-01-01' }).first();
    expect(old.effective_to).toBe('2026-12-31');
    const badKind = await s.call(province(), EXTRA, { input: { provinceCode: '420000', kind: 'CANTEEN', effectiveFrom: '2028-01-01', source: 'demo' } });
    expect(badKind.data.recordStaffingExtraRule.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'kind'] })]);
    const noRatio = await s.call(province(), EXTRA, { input: { provinceCode: '420000', kind: 'SMALL_TEACHING_POINT', staffPerClass: 1.5, effectiveFrom: '2028-01-01', source: 'demo' } });
    expect(noRatio.data.recordStaffingExtraRule.errors).toEqual([expect.objectContaining({ field: ['input', 'belowStudents'] })]);

    const params = await s.call(province(), ROTATION, { input: { provinceCode: '420000', minYearsAtSchool: 5, ageLimitMale: 55, ageLimitFemale: 50, effectiveFrom: '2027-01-01', source: 'demo' } });
    expect(params.data.recordRotationParameters).toMatchObject({ errors: [], parameters: { provinceCode: '420000', minYearsAtSchool: 5 } });
    const eligibility = await s.call(s.viewer('county_query', '420115'), `{ rotationEligibility(countyId: "420115", year: 2027) { parameters { minYearsAtSchool } } }`);
    expect(eligibility.data.rotationEligibility.parameters.minYearsAtSchool).toBe(5);
    const badShare = await s.call(province(), ROTATION, { input: { provinceCode: '420000', minYearsAtSchool: 6, minShareOfEligible: 10, effectiveFrom: '2028-01-01', source: 'demo' } });
    expect(badShare.data.recordRotationParameters.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'minShareOfEligible'] })]);
  });

  it('designates schools and exempts teachers from the county, not from the school', async () => {
    const county = s.viewer('county_info_admin', '420111');
    const designated = await s.call(county, DESIGNATE, { input: { schoolId: URBAN_PRIMARY, designation: 'HIGH_QUALITY', designated: true } });
    expect(designated.data.setSchoolDesignation).toEqual({ designations: ['HIGH_QUALITY'], errors: [] });
    const self = await s.call(s.viewer('school_info_admin', URBAN_PRIMARY), DESIGNATE, { input: { schoolId: URBAN_PRIMARY, designation: 'WEAK', designated: true } });
    expect(self.data.setSchoolDesignation.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'schoolId'] })]);
    const withdrawn = await s.call(county, DESIGNATE, { input: { schoolId: URBAN_PRIMARY, designation: 'HIGH_QUALITY', designated: false } });
    expect(withdrawn.data.setSchoolDesignation.designations).toEqual([]);

    const teacher = data.teachers.find((t) => t.schoolId === URBAN_PRIMARY && t.startedWorkOn <= '2015-09-01' && t.birthDate > '1980-01-01')!;
    const before = await s.call(s.viewer('county_query', '420111'), `{ rotationEligibility(countyId: "420111", year: 2026) { candidates { teacher { id } } } }`);
    expect(before.data.rotationEligibility.candidates.map((c: any) => c.teacher.id)).toContain(teacher.id);
    expect((await s.call(s.viewer('school_info_admin', URBAN_PRIMARY), EXEMPT, { input: { teacherId: teacher.id, year: 2026, reason: '孕期' } })).data.exemptFromRotation.errors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND' }),
    ]);
    expect((await s.call(county, EXEMPT, { input: { teacherId: teacher.id, year: 2026, reason: ' ' } })).data.exemptFromRotation.errors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'reason'] }),
    ]);
    expect((await s.call(county, EXEMPT, { input: { teacherId: teacher.id, year: 2026, reason: '孕期' } })).data.exemptFromRotation).toEqual({ exempted: true, errors: [] });
    const after = await s.call(s.viewer('county_query', '420111'), `{ rotationEligibility(countyId: "420111", year: 2026) { candidates { teacher { id } } } }`);
    expect(after.data.rotationEligibility.candidates.map((c: any) => c.teacher.id)).not.toContain(teacher.id);
  });
});
