import { randomUUID } from 'node:crypto';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { training } from '../../subgraphs/training/src';
import { entities, startTraining, teacherRefs, type TrainingHarness } from './harness';

const data = buildDemoDataset();
const cycleRecords = (teacherId: string) => data.trainingRecords.filter((r) => r.teacherId === teacherId && r.completedOn >= '2024-01-01');
// Teachers with imported records in the current cycle, so there is something to convert and apply.
const [hubeiA, hubeiB, hubeiC] = data.teachers.filter((t) => t.orgPath.includes('/420111/') && cycleRecords(t.id).length >= 2);

const CONVERT = `mutation($input: ConvertCreditsInput!) { convertCredits(input: $input) { entries { id entryType creditKind form provinceCode hours credits convertsEntryId isConverted } errors { code field message } } }`;
const APPLY = `mutation($input: ApplyCreditsInput!) { applyCredits(input: $input) { application { id purpose credits entries { id } } errors { code field message } } }`;
const LEDGER = entities('creditLedger { id entryType creditKind form provinceCode hours credits activityOn isConverted } creditBalance { trainingCredits degreeCredits openCredits reconciles } trainingCycleSummary { credits provinceCode }');

describe('credit bank operations: conversions and applications', () => {
  let h: TrainingHarness;
  const county = () => h.viewer('county_info_admin', '420111');
  const ledgerOf = async (id: string) => (await h.graphql(h.viewer('national_query', 'CN'), LEDGER, teacherRefs([id]))).data._entities[0];

  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('converts between forms by hours under the rule in force on the activity date, and still reconciles', async () => {
    const before = await ledgerOf(hubeiA!.id);
    const online = before.creditLedger.find((e: any) => e.entryType === 'DEPOSIT' && e.form !== 'CENTRALISED' && e.form !== 'PRACTICE' && e.form !== 'TEACHING_RESEARCH');
    expect(online).toBeDefined();
    const { data: result } = await h.graphql(county(), CONVERT, { input: { teacherId: hubeiA!.id, entryIds: [online.id], toForm: 'CENTRALISED', reason: '县教研室认定为集中培训' } });
    expect(result.convertCredits.errors).toEqual([]);
    const [out, inside] = result.convertCredits.entries;
    expect(out).toMatchObject({ entryType: 'CONVERSION_OUT', hours: -online.hours, credits: -online.credits, convertsEntryId: online.id });
    expect(inside).toMatchObject({ entryType: 'CONVERSION_IN', form: 'CENTRALISED', hours: online.hours, credits: Math.round((online.hours / 10) * 100) / 100 });
    const after = await ledgerOf(hubeiA!.id);
    expect(after.creditBalance.reconciles).toBe(true);
    expect(after.creditLedger.find((e: any) => e.id === online.id).isConverted).toBe(true);
    expect(after.creditBalance.trainingCredits).toBeCloseTo(before.creditBalance.trainingCredits - online.credits + inside.credits, 5);
    // The same entry cannot be converted twice.
    const twiceBody = await h.graphql(county(), CONVERT, { input: { teacherId: hubeiA!.id, entryIds: [online.id], toForm: 'PRACTICE', reason: 'x' } });
    expect(twiceBody.errors).toBeUndefined();
    const twice = twiceBody.data.convertCredits;
    expect(twice.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'entryIds', '0'] });
  });

  it('converts towards degree credits at the province rate, moving them out of the training balance', async () => {
    const before = await ledgerOf(hubeiB!.id);
    const deposit = before.creditLedger.find((e: any) => e.entryType === 'DEPOSIT');
    const { data: result } = await h.graphql(county(), CONVERT, { input: { teacherId: hubeiB!.id, entryIds: [deposit.id], toDegree: true, reason: '学历提升' } });
    expect(result.convertCredits.errors).toEqual([]);
    expect(result.convertCredits.entries[1]).toMatchObject({ creditKind: 'DEGREE', credits: Math.round((deposit.credits / 2) * 100) / 100 });
    const after = await ledgerOf(hubeiB!.id);
    expect(after.creditBalance).toMatchObject({ reconciles: true });
    expect(after.creditBalance.degreeCredits).toBeCloseTo(deposit.credits / 2, 2);
    expect(after.creditBalance.trainingCredits).toBeCloseTo(before.creditBalance.trainingCredits - deposit.credits, 5);
  });

  it('refuses conversions with no or several targets, bad province codes, or by a school', async () => {
    const entry = (await ledgerOf(hubeiC!.id)).creditLedger[0];
    const none = (await h.graphql(county(), CONVERT, { input: { teacherId: hubeiC!.id, entryIds: [entry.id], reason: 'x' } })).data.convertCredits;
    expect(none.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input'] });
    const bad = (await h.graphql(county(), CONVERT, { input: { teacherId: hubeiC!.id, entryIds: [entry.id], toProvinceCode: '4201', reason: 'x' } })).data.convertCredits;
    expect(bad.errors).toContainEqual(expect.objectContaining({ field: ['input', 'toProvinceCode'] }));
    const school = await h.graphql(h.viewer('school_info_admin', hubeiC!.schoolId), CONVERT, { input: { teacherId: hubeiC!.id, entryIds: [entry.id], toDegree: true, reason: 'x' } });
    expect(school.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('applies credits without re-declaring; single-use purposes cannot use an entry twice; replays return the first', async () => {
    const teacherId = hubeiC!.id;
    const summary = (await ledgerOf(teacherId)).trainingCycleSummary;
    const registration = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'REGISTRATION', reference: 'REG-2028-001' } })).data.applyCredits;
    expect(registration.errors).toEqual([]);
    expect(registration.application.credits).toBeCloseTo(summary.credits, 5);
    // Registration is reusable: assessment may rely on the same entries.
    const assessment = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'ASSESSMENT', reference: 'ASSESS-2026' } })).data.applyCredits;
    expect(assessment.errors).toEqual([]);
    // Title review is single use: a second title application finds nothing left.
    const title = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'TITLE_REVIEW', reference: 'TITLE-2026-A' } })).data.applyCredits;
    expect(title.errors).toEqual([]);
    const replay = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'TITLE_REVIEW', reference: 'TITLE-2026-A' } })).data.applyCredits;
    expect(replay.application.id).toBe(title.application.id);
    const second = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'TITLE_REVIEW', reference: 'TITLE-2027-B' } })).data.applyCredits;
    expect(second.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'credits'] });
    // Applying stored no new deposit and left the balance as it was.
    const after = await ledgerOf(teacherId);
    expect(after.trainingCycleSummary.credits).toBeCloseTo(summary.credits, 5);
    const bad = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'AWARD', reference: 'A', credits: -3 } })).data.applyCredits;
    expect(bad.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'credits'] });
    const tooMuch = (await h.graphql(county(), APPLY, { input: { teacherId, purpose: 'AWARD', reference: 'A', credits: 9999 } })).data.applyCredits;
    expect(tooMuch.errors[0].code).toBe('RULE_VIOLATION');
  });

  it('two single-use applications at once cannot both rely on the same credits', async () => {
    const teacher = data.teachers.find((t) => t.orgPath.includes('/420528/') && cycleRecords(t.id).length >= 2)!;
    const province = h.viewer('province_info_admin', '420000');
    const results = await Promise.all(
      ['AWARD-2026-A', 'AWARD-2026-B'].map((reference) => h.graphql(province, APPLY, { input: { teacherId: teacher.id, purpose: 'AWARD', reference } })),
    );
    const outcomes = results.map((r) => r.data.applyCredits.errors[0]?.code ?? 'OK');
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'CONFLICT' || o === 'RULE_VIOLATION')).toHaveLength(1);
    const { knex } = h.server.db;
    const dupes = await knex(h.server.db.t('credit_application_item')).select('entry_id').where('purpose', 'award').groupBy('entry_id').havingRaw('count(*) > 1');
    expect(dupes).toEqual([]);
  });

  it('re-expresses the running cycle under the new province when a teacher moves across provinces, once', async () => {
    const mover = data.teachers.find((t) => t.orgPath.includes('/420115/') && cycleRecords(t.id).length >= 2)!;
    const before = await ledgerOf(mover.id);
    const gansuSchool = data.orgUnits.find((o) => o.id === '1162000101')!;
    const event = {
      id: randomUUID(),
      type: 'teacher.affiliation-changed' as const,
      source: 'teacher-registry',
      occurredAt: new Date().toISOString(),
      payload: { teacherId: mover.id, fromSchoolId: mover.schoolId, toSchoolId: gansuSchool.id, fromOrgPath: mover.orgPath, orgPath: gansuSchool.path, effectiveOn: '2026-09-01' },
    };
    const logger = createLogger('test', 'silent');
    expect(await applyEvent(h.server.db, training.eventHandlers!, event, logger)).toBe('applied');
    expect(await applyEvent(h.server.db, training.eventHandlers!, event, logger)).toBe('duplicate');
    const after = await ledgerOf(mover.id);
    expect(after.trainingCycleSummary.provinceCode).toBe('620000');
    // 甘肃 counts 1 hour = 1 credit: the cycle's credits become its hours.
    const cycleHours = before.creditLedger.filter((e: any) => e.activityOn >= '2024-01-01' && e.creditKind === 'TRAINING').reduce((s: number, e: any) => s + e.hours, 0);
    expect(after.trainingCycleSummary.credits).toBeCloseTo(cycleHours, 5);
    expect(after.creditBalance.reconciles).toBe(true);
    const conversionsIn = after.creditLedger.filter((e: any) => e.entryType === 'CONVERSION_IN');
    expect(conversionsIn.every((e: any) => e.provinceCode === '620000')).toBe(true);
  });
});
