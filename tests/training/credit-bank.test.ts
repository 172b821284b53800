import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { entities, startTraining, teacherRefs, type TrainingHarness } from './harness';

const data = buildDemoDataset();
const hubeiTeacher = data.teachers.find((t) => t.orgPath.includes('/420111/'))!;
const beijingTeacher = data.teachers.find((t) => t.orgPath.includes('/110105/'))!;

describe('credit rules and the credit bank', () => {
  let h: TrainingHarness;
  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stores different provincial rules as data with effective dates', async () => {
    const v = h.viewer('national_query', 'CN');
    const q = `query($p: String!, $on: Date) { creditRules(provinceCode: $p, on: $on) { usesNationalDefault cycleRequiredCredits cycleRequiredHours annualMinimumCredits conversions { form hoursPerCredit effectiveFrom } } }`;
    const hubei2023 = (await h.graphql(v, q, { p: '420000', on: '2023-06-01' })).data.creditRules;
    expect(hubei2023).toMatchObject({ usesNationalDefault: false, cycleRequiredCredits: 36, cycleRequiredHours: 360, annualMinimumCredits: null });
    const perForm = (rules: { conversions: { form: string; hoursPerCredit: number }[] }) => Object.fromEntries(rules.conversions.map((c) => [c.form, c.hoursPerCredit]));
    expect(perForm(hubei2023)).toEqual({ CENTRALISED: 10, ONLINE: 20, SCHOOL_BASED: 20, TEACHING_RESEARCH: 20, PRACTICE: 10 });
    const hubei2025 = (await h.graphql(v, q, { p: '420000', on: '2025-06-01' })).data.creditRules;
    expect(perForm(hubei2025).TEACHING_RESEARCH).toBe(10);
    const beijing = (await h.graphql(v, q, { p: '110000' })).data.creditRules;
    expect(beijing).toMatchObject({ cycleRequiredCredits: 360, annualMinimumCredits: 48 });
    expect(Object.values(perForm(beijing))).toEqual([1, 1, 1, 1, 1]);
    const elsewhere = (await h.graphql(v, q, { p: '440000' })).data.creditRules;
    expect(elsewhere).toMatchObject({ usesNationalDefault: true, cycleRequiredCredits: 360 });
    const bad = await h.graphql(v, q, { p: '42' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('banks every completed record once, converted by the province of the teacher, and reconciles', async () => {
    const v = h.viewer('national_query', 'CN');
    const { data: body, errors } = await h.graphql(
      v,
      entities('trainingRecords { id form hours completedOn credits source } creditLedger { entryType hours credits trainingRecordId provinceCode } creditBalance { trainingHours trainingCredits openCredits reconciles entryCount }'),
      teacherRefs([hubeiTeacher.id, beijingTeacher.id]),
    );
    expect(errors).toBeUndefined();
    const [hubei, beijing] = body._entities;
    const hubeiRate = (form: string, on: string) => (form === 'CENTRALISED' || form === 'PRACTICE' || (form === 'TEACHING_RESEARCH' && on >= '2024-01-01') ? 10 : 20);
    for (const record of hubei.trainingRecords) {
      expect(record.credits).toBeCloseTo(Math.round((record.hours / hubeiRate(record.form, record.completedOn)) * 100) / 100, 2);
    }
    for (const record of beijing.trainingRecords) expect(record.credits).toBe(record.hours);
    for (const teacher of [hubei, beijing]) {
      expect(teacher.creditLedger).toHaveLength(teacher.trainingRecords.length);
      expect(new Set(teacher.creditLedger.map((e: { trainingRecordId: string }) => e.trainingRecordId)).size).toBe(teacher.trainingRecords.length);
      expect(teacher.creditBalance.reconciles).toBe(true);
      expect(teacher.creditBalance.trainingHours).toBeCloseTo(teacher.trainingRecords.reduce((s: number, r: { hours: number }) => s + r.hours, 0), 5);
    }
    expect(hubei.creditLedger[0].provinceCode).toBe('420000');
  });

  it('summarises the current cycle against the province rules, with annual minimums', async () => {
    const v = h.viewer('national_query', 'CN');
    const { data: body } = await h.graphql(
      v,
      entities(
        'trainingProgress { completedHours } trainingCycleSummary { provinceCode hours credits requiredCredits requiredHours shortfallCredits shortfallHours isMet annualMinimumCredits years { year credits minimumCredits isMet } } trainingRecords(filter: { completedFrom: "2024-01-01", completedTo: "2028-12-31" }) { hours credits }',
      ),
      teacherRefs([hubeiTeacher.id, beijingTeacher.id]),
    );
    const [hubei, beijing] = body._entities;
    const sum = (rows: { hours?: number; credits?: number }[], k: 'hours' | 'credits') => Math.round(rows.reduce((s, r) => s + (r[k] ?? 0), 0) * 100) / 100;
    expect(hubei.trainingCycleSummary).toMatchObject({ provinceCode: '420000', requiredCredits: 36, requiredHours: 360, annualMinimumCredits: null });
    expect(hubei.trainingCycleSummary.hours).toBeCloseTo(sum(hubei.trainingRecords, 'hours'), 5);
    expect(hubei.trainingCycleSummary.credits).toBeCloseTo(sum(hubei.trainingRecords, 'credits'), 5);
    expect(hubei.trainingCycleSummary.shortfallCredits).toBeCloseTo(Math.max(0, 36 - hubei.trainingCycleSummary.credits), 5);
    expect(hubei.trainingCycleSummary.isMet).toBe(hubei.trainingCycleSummary.shortfallCredits === 0 && hubei.trainingCycleSummary.shortfallHours === 0);
    expect(hubei.trainingProgress.completedHours).toBeCloseTo(hubei.trainingCycleSummary.hours, 5);
    expect(beijing.trainingCycleSummary).toMatchObject({ provinceCode: '110000', requiredCredits: 360, annualMinimumCredits: 48 });
    expect(beijing.trainingCycleSummary.years.map((y: { year: number }) => y.year)[0]).toBe(2024);
    for (const year of beijing.trainingCycleSummary.years) expect(year.isMet).toBe(year.credits >= 48);
  });

  it('summarises an earlier cycle on request, and refuses an unknown one', async () => {
    const v = h.viewer('national_query', 'CN');
    const past = await h.graphql(v, entities('trainingCycleSummary(cycleId: "2019-2023") { cycle { id } hours credits years { year } }'), teacherRefs([beijingTeacher.id]));
    expect(past.errors).toBeUndefined();
    const expected = data.trainingRecords.filter((r) => r.teacherId === beijingTeacher.id && r.completedOn <= '2023-12-31').reduce((s, r) => s + r.hours, 0);
    expect(past.data._entities[0].trainingCycleSummary).toMatchObject({ cycle: { id: '2019-2023' }, hours: expected, credits: expected });
    expect(past.data._entities[0].trainingCycleSummary.years.map((y: { year: number }) => y.year)).toEqual([2019, 2020, 2021, 2022, 2023]);
    const unknown = await h.graphql(v, entities('trainingCycleSummary(cycleId: "1999") { hours }'), teacherRefs([beijingTeacher.id]));
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const units = await h.graphql(v, `query($r: [_Any!]!) { _entities(representations: $r) { ... on OrgUnit { trainingCompletion(cycleId: "2019-2023") { cycle { id } teacherCount } } } }`, {
      r: [{ __typename: 'OrgUnit', id: 'CN' }],
    });
    expect(units.data._entities[0].trainingCompletion).toMatchObject({ cycle: { id: '2019-2023' }, teacherCount: data.teachers.length });
  });

  it('answers annual totals and rejects absurd year ranges', async () => {
    const v = h.viewer('national_query', 'CN');
    const ok = await h.graphql(v, entities('trainingAnnualTotals(fromYear: 2022, toYear: 2026) { year hours credits minimumCredits }'), teacherRefs([beijingTeacher.id]));
    expect(ok.errors).toBeUndefined();
    const years = ok.data._entities[0].trainingAnnualTotals;
    expect(years.map((y: { year: number }) => y.year)).toEqual([2022, 2023, 2024, 2025, 2026]);
    const expected2022 = data.trainingRecords.filter((r) => r.teacherId === beijingTeacher.id && r.completedOn.startsWith('2022')).reduce((s, r) => s + r.hours, 0);
    expect(years[0].hours).toBe(expected2022);
    const bad = await h.graphql(v, entities('trainingAnnualTotals(fromYear: 2026, toYear: 2020) { year }'), teacherRefs([beijingTeacher.id]));
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses to change or delete a ledger entry', async () => {
    const { knex } = h.server.db;
    await expect(knex(h.server.db.t('credit_ledger_entry')).update({ credits: 999 })).rejects.toThrow(/append-only/);
    await expect(knex(h.server.db.t('credit_ledger_entry')).delete()).rejects.toThrow(/append-only/);
  });

  it('aggregates cycle completion over a subtree in SQL, scoped to the viewer', async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on OrgUnit { id trainingCompletion { teacherCount metCount completionRate totalCredits } } } }`;
    const refs = { r: ['420111', '420000', '110000'].map((id) => ({ __typename: 'OrgUnit', id })) };
    const county = await h.graphql(h.viewer('county_query', '420111'), q, refs);
    expect(county.errors).toBeUndefined();
    const [hongshan, hubei, beijing] = county.data._entities;
    expect(hongshan.trainingCompletion.teacherCount).toBe(data.teachers.filter((t) => t.orgPath.includes('/420111/')).length);
    expect(hongshan.trainingCompletion.completionRate).toBeCloseTo(hongshan.trainingCompletion.metCount / hongshan.trainingCompletion.teacherCount, 5);
    expect(hubei.trainingCompletion).toBeNull();
    expect(beijing.trainingCompletion).toBeNull();
    const national = await h.graphql(h.viewer('national_query', 'CN'), q, refs);
    expect(national.data._entities[1].trainingCompletion.teacherCount).toBe(data.teachers.filter((t) => t.orgPath.includes('/420000/')).length);
    // Analysts get how many met the requirement, never the teachers in total (the registry's to publish).
    // (The nation is decided alone; a province may be withheld beside a neighbour with few.)
    const nation = { r: [{ __typename: 'OrgUnit', id: 'CN' }] };
    const [analyst, exactNation] = await Promise.all([h.graphql(h.viewer('analyst', 'CN'), q, nation), h.graphql(h.viewer('national_query', 'CN'), q, nation)]);
    expect(analyst.data._entities[0].trainingCompletion).toEqual({
      teacherCount: null, metCount: exactNation.data._entities[0].trainingCompletion.metCount, completionRate: null, totalCredits: null,
    });
    // The subtree's met count equals the count of teachers whose own summary is met.
    const hongshanIds = data.teachers.filter((t) => t.orgPath.includes('/420111/')).map((t) => t.id);
    const summaries = await h.graphql(h.viewer('county_query', '420111'), entities('trainingCycleSummary { isMet }'), teacherRefs(hongshanIds));
    expect(summaries.data._entities.filter((t: { trainingCycleSummary: { isMet: boolean } }) => t.trainingCycleSummary.isMet).length).toBe(hongshan.trainingCompletion.metCount);
  });
  it('lets a province issue new rules from a future date, never rewriting the past', async () => {
    const SET_RULE = `mutation($i: SetCreditConversionRuleInput!) { setCreditConversionRule(input: $i) { rule { id hoursPerCredit } errors { code field } } }`;
    const SET_POLICY = `mutation($i: SetCreditPolicyInput!) { setCreditPolicy(input: $i) { policy { id } errors { code field } } }`;
    const gansu = h.viewer('province_info_admin', '620000');
    const rule = { provinceCode: '620000', form: 'ONLINE', effectiveFrom: '2031-01-01', hoursPerCredit: 2 };
    expect((await h.graphql(gansu, SET_RULE, { i: rule })).data.setCreditConversionRule.errors).toEqual([]);
    const q = `query($on: Date) { creditRules(provinceCode: "620000", on: $on) { conversions { form hoursPerCredit } } }`;
    const online = async (on: string) => (await h.graphql(gansu, q, { on })).data.creditRules.conversions.find((c: { form: string }) => c.form === 'ONLINE').hoursPerCredit;
    expect(await online('2031-02-01')).toBe(2);
    expect(await online('2026-02-01')).toBe(1);
    const again = (await h.graphql(gansu, SET_RULE, { i: { ...rule, effectiveFrom: '2030-06-01' } })).data.setCreditConversionRule;
    expect(again.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'effectiveFrom'] });
    const past = (await h.graphql(gansu, SET_RULE, { i: { ...rule, form: 'PRACTICE', effectiveFrom: '2020-01-01' } })).data.setCreditConversionRule;
    expect(past.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'effectiveFrom'] });
    const otherProvince = (await h.graphql(h.viewer('province_info_admin', '420000'), SET_RULE, { i: { ...rule, form: 'PRACTICE' } })).data.setCreditConversionRule;
    expect(otherProvince.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'provinceCode'] });
    const absurd = (await h.graphql(gansu, SET_RULE, { i: { ...rule, form: 'PRACTICE', hoursPerCredit: -1 } })).data.setCreditConversionRule;
    expect(absurd.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'hoursPerCredit'] });
    const policy = { provinceCode: '620000', effectiveFrom: '2031-01-01', cycleRequiredCredits: 300, cycleRequiredHours: 300, sourceDocument: '甘教师〔2030〕1号' };
    const belowFloor = (await h.graphql(gansu, SET_POLICY, { i: policy })).data.setCreditPolicy;
    expect(belowFloor.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'cycleRequiredHours'] });
    expect((await h.graphql(gansu, SET_POLICY, { i: { ...policy, cycleRequiredHours: 360 } })).data.setCreditPolicy.errors).toEqual([]);
    expect((await h.graphql(h.viewer('county_query', '420111'), SET_POLICY, { i: policy })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
