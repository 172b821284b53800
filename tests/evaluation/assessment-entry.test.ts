import { randomUUID } from 'node:crypto';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { evaluation } from '../../subgraphs/evaluation/src/index';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { startEvaluation, TEACHER_ENTITIES, teacherReps, type EvaluationService } from './evaluation-service';

const data = buildDemoDataset();
const withEthics = new Set(buildDemoEthics(data).map((e) => e.teacher_id));
const teachersOf = (school: string) => data.teachers.filter((t) => t.schoolId === school && !withEthics.has(t.id));

// 武汉市江夏区第一中学: 32 teachers, Hubei, default cap 20% → 6 excellent.
const SCHOOL = '1142000201';
const OTHER_SCHOOL = '1142000202';
const [t1, t2, t3, t4, rotating] = teachersOf(SCHOOL);
const schoolSize = data.teachers.filter((t) => t.schoolId === SCHOOL).length;

const ENTER = `#graphql
  mutation ($input: EnterAnnualAssessmentInput!) {
    enterAnnualAssessment(input: $input) { assessment { id year grade comment version assessedBy { id } } errors { code message field } }
  }`;
const CHANGE = `#graphql
  mutation ($input: ChangeAnnualAssessmentGradeInput!) {
    changeAnnualAssessmentGrade(input: $input) { assessment { id grade version } errors { code message field } }
  }`;
const RECORD = `#graphql
  mutation ($input: RecordEthicsEntryInput!) { recordEthicsEntry(input: $input) { entry { id periodEndsOn banEndsOn } errors { code field } } }`;
const CAP = `#graphql
  query ($year: Int!) { excellentCap(year: $year) { unit { id } year maxShare highPerforming teachersAssessed maxExcellent excellentEntered remaining } }`;

describe('annual assessment entry', () => {
  let ev: EvaluationService;
  const schoolAdmin = () => ev.viewer('school_info_admin', SCHOOL);
  const countAssessments = async (teacherId: string) =>
    Number((await ev.server.db.knex(ev.server.db.t('annual_assessment')).where({ teacher_id: teacherId, year: 2026 }).count('* as n').first())?.n);

  beforeAll(async () => {
    ev = await startEvaluation();
  });
  afterAll(async () => {
    await ev?.stop();
  });

  it('the school information administrator enters a grade; readers see it in the archive', async () => {
    const body = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t1!.id, year: 2026, grade: 'PASS', comment: '  教学认真  ' } });
    expect(body.errors).toBeUndefined();
    expect(body.data.enterAnnualAssessment).toMatchObject({
      assessment: { year: 2026, grade: 'PASS', comment: '教学认真', version: 1, assessedBy: { id: SCHOOL } },
      errors: [],
    });
    const read = await ev.call(ev.viewer('county_query', '420115'), TEACHER_ENTITIES('annualAssessments { year grade }'), teacherReps([t1!.id]));
    expect(read.data._entities[0].annualAssessments[0]).toEqual({ year: 2026, grade: 'PASS' });
  });

  it('refuses a second entry for the same year, bad input (naming each field) and other schools, storing nothing', async () => {
    const dup = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t1!.id, year: 2026, grade: 'FAIL' } });
    expect(dup.data.enterAnnualAssessment).toMatchObject({ assessment: null, errors: [{ code: 'DUPLICATE', field: ['input', 'year'] }] });

    const bad = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: 'not-an-id', year: 2031, grade: 'PASS', comment: 'x'.repeat(501) } });
    expect(bad.data.enterAnnualAssessment.errors.map((e: { code: string; field: string[] }) => [e.code, e.field])).toEqual([
      ['INVALID_INPUT', ['input', 'teacherId']],
      ['INVALID_INPUT', ['input', 'year']],
      ['INVALID_INPUT', ['input', 'comment']],
    ]);
    const before = await countAssessments(t2!.id);
    const other = await ev.call(ev.viewer('school_info_admin', OTHER_SCHOOL), ENTER, { input: { teacherId: t2!.id, year: 2026, grade: 'PASS' } });
    expect(other.data.enterAnnualAssessment.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'teacherId'] })]);
    expect(await countAssessments(t2!.id)).toBe(before);

    // Not a school information administrator: the field itself is forbidden.
    for (const viewer of [ev.viewer('county_info_admin', '420115'), ev.viewer('school_query', SCHOOL), ev.viewer('teacher', SCHOOL, { teacherId: t2!.id })]) {
      const denied = await ev.call(viewer, ENTER, { input: { teacherId: t2!.id, year: 2026, grade: 'PASS' } });
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await countAssessments(t2!.id)).toBe(before);
  });

  it('changes a grade with optimistic concurrency', async () => {
    const entered = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t2!.id, year: 2026, grade: 'PASS' } });
    const { id } = entered.data.enterAnnualAssessment.assessment;
    const changed = await ev.call(schoolAdmin(), CHANGE, { input: { id, version: 1, grade: 'BASIC_PASS' } });
    expect(changed.data.changeAnnualAssessmentGrade).toEqual({ assessment: { id, grade: 'BASIC_PASS', version: 2 }, errors: [] });
    const stale = await ev.call(schoolAdmin(), CHANGE, { input: { id, version: 1, grade: 'FAIL' } });
    expect(stale.data.changeAnnualAssessmentGrade).toMatchObject({ assessment: null, errors: [{ code: 'CONFLICT', field: ['input', 'version'] }] });
    const foreign = await ev.call(ev.viewer('school_info_admin', OTHER_SCHOOL), CHANGE, { input: { id, version: 2, grade: 'FAIL' } });
    expect(foreign.data.changeAnnualAssessmentGrade.errors[0].code).toBe('NOT_FOUND');
  });

  it('enforces the cap on excellent: 20% of the teachers the school assesses, rounded down', async () => {
    const cap = await ev.call(schoolAdmin(), CAP, { year: 2026 });
    expect(cap.data.excellentCap).toMatchObject({ unit: { id: SCHOOL }, maxShare: 0.2, highPerforming: false, teachersAssessed: schoolSize, maxExcellent: Math.floor(schoolSize * 0.2), excellentEntered: 0 });
    const max = cap.data.excellentCap.maxExcellent as number;
    const candidates = teachersOf(SCHOOL).slice(5, 5 + max + 1);
    for (const teacher of candidates.slice(0, max)) {
      const ok = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: teacher.id, year: 2026, grade: 'EXCELLENT' } });
      expect(ok.data.enterAnnualAssessment.errors).toEqual([]);
    }
    const over = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: candidates[max]!.id, year: 2026, grade: 'EXCELLENT' } });
    expect(over.data.enterAnnualAssessment).toMatchObject({ assessment: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'grade'] }] });
    expect(over.data.enterAnnualAssessment.errors[0].message).toContain(`that is ${max}`);
    expect(await countAssessments(candidates[max]!.id)).toBe(0);
    // Changing an existing grade to excellent is held to the same cap.
    const pass = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: candidates[max]!.id, year: 2026, grade: 'PASS' } });
    const upgrade = await ev.call(schoolAdmin(), CHANGE, { input: { id: pass.data.enterAnnualAssessment.assessment.id, version: 1, grade: 'EXCELLENT' } });
    expect(upgrade.data.changeAnnualAssessmentGrade.errors[0].code).toBe('RULE_VIOLATION');
    expect((await ev.call(schoolAdmin(), CAP, { year: 2026 })).data.excellentCap).toMatchObject({ excellentEntered: max, remaining: 0 });
  });

  it('reads the cap as dated provincial data: 30% for a high-performing unit, a provincial rule from its effective date', async () => {
    const haidian = await ev.call(ev.viewer('school_query', '1111000201'), CAP, { year: 2025 });
    expect(haidian.data.excellentCap).toMatchObject({ maxShare: 0.3, highPerforming: true, teachersAssessed: 38, maxExcellent: 11 });
    const before = await ev.call(ev.viewer('school_query', '1111000201'), CAP, { year: 2024 });
    expect(before.data.excellentCap).toMatchObject({ maxShare: 0.2, highPerforming: false, maxExcellent: 7 });

    await ev.server.db.knex(ev.server.db.t('excellent_cap_rule')).insert({ province_code: '420000', unit_category: 'default', max_share: 0.15, effective_from: '2027-01-01', source: '鄂人社〔2026〕1号' });
    expect((await ev.call(schoolAdmin(), CAP, { year: 2026 })).data.excellentCap.maxShare).toBe(0.2);
    expect((await ev.call(schoolAdmin(), CAP, { year: 2027 })).data.excellentCap).toMatchObject({ maxShare: 0.15, maxExcellent: Math.floor(schoolSize * 0.15) });
  });

  it('a warning bars excellent in its year; a demerit bars pass and better during its period', async () => {
    const county = ev.viewer('county_info_admin', '420115');
    const base = { kind: 'VIOLATION', summary: '违规有偿补课', authority: '江夏区教育局', documentRef: '江教纪〔2026〕1号' };
    const warned = await ev.call(county, RECORD, { input: { ...base, teacherId: t3!.id, sanction: 'WARNING', decidedOn: '2026-03-01' } });
    expect(warned.data.recordEthicsEntry.errors).toEqual([]);
    await ev.server.db.knex(ev.server.db.t('excellent_cap_rule')).insert({ province_code: '420000', unit_category: 'default', max_share: 1, effective_from: '2025-01-01', effective_to: '2025-12-31', source: 'test: room for excellent in 2025' });

    const excellent = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t3!.id, year: 2026, grade: 'EXCELLENT' } });
    expect(excellent.data.enterAnnualAssessment.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', field: ['input', 'grade'] })]);
    expect(excellent.data.enterAnnualAssessment.errors[0].message).toMatch(/warning/);
    // The refusal told the school a sanction exists: that read of the ledger is audited although nothing was stored.
    const audited = await ev.server.db.knex(ev.server.db.t('ethics_read_audit')).where({ teacher_id: t3!.id, action: 'read_for_assessment' }).first();
    expect(audited).toMatchObject({ viewer_role: 'school_info_admin', viewer_org_id: SCHOOL });
    expect((await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t3!.id, year: 2026, grade: 'PASS' } })).data.enterAnnualAssessment.errors).toEqual([]);

    const demerit = await ev.call(county, RECORD, { input: { ...base, teacherId: t4!.id, sanction: 'DEMERIT', decidedOn: '2025-06-01' } });
    expect(demerit.data.recordEthicsEntry.entry).toMatchObject({ periodEndsOn: '2026-05-31', banEndsOn: '2027-05-31' });
    // t4 already has a 2025 demo grade; 2026 lies inside the demerit period too.
    const pass = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t4!.id, year: 2026, grade: 'PASS' } });
    expect(pass.data.enterAnnualAssessment.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'grade'] });
    expect(pass.data.enterAnnualAssessment.errors[0].message).toMatch(/basic pass/);
    expect((await ev.call(schoolAdmin(), ENTER, { input: { teacherId: t4!.id, year: 2026, grade: 'BASIC_PASS' } })).data.enterAnnualAssessment.errors).toEqual([]);
  });

  it('during a rotation the receiving school assesses, and its cap counts the rotating teacher', async () => {
    const logger = createLogger('test', 'silent');
    const rotation = { rotationId: 'rot-1', teacherId: rotating!.id, homeOrgId: SCHOOL, hostOrgId: OTHER_SCHOOL, kind: 'SUPPORT_TEACHING', startsOn: '2026-02-01', endsOn: '2027-01-31' };
    const event = { id: '6a0e0a7e-0000-4000-8000-000000000001', type: 'staffing.rotation-completed' as const, source: 'staffing-quota', occurredAt: new Date().toISOString(), payload: rotation };
    expect(await applyEvent(ev.server.db, evaluation.eventHandlers!, event, logger)).toBe('applied');
    expect(await applyEvent(ev.server.db, evaluation.eventHandlers!, event, logger)).toBe('duplicate');

    const home = await ev.call(schoolAdmin(), ENTER, { input: { teacherId: rotating!.id, year: 2026, grade: 'PASS' } });
    expect(home.data.enterAnnualAssessment.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'teacherId'] });
    expect(home.data.enterAnnualAssessment.errors[0].message).toContain(OTHER_SCHOOL);

    const hostAdmin = ev.viewer('school_info_admin', OTHER_SCHOOL);
    const hostSize = data.teachers.filter((t) => t.schoolId === OTHER_SCHOOL).length;
    expect((await ev.call(hostAdmin, CAP, { year: 2026 })).data.excellentCap.teachersAssessed).toBe(hostSize + 1);
    const host = await ev.call(hostAdmin, ENTER, { input: { teacherId: rotating!.id, year: 2026, grade: 'PASS' } });
    expect(host.data.enterAnnualAssessment).toMatchObject({ assessment: { assessedBy: { id: OTHER_SCHOOL } }, errors: [] });
    // 2027 has only January at the host: the home school assesses that year again.
    expect((await ev.call(schoolAdmin(), CAP, { year: 2027 })).data.excellentCap.teachersAssessed).toBe(schoolSize);
  });

  it('a province information administrator adds a dated cap rule for its province; others may not', async () => {
    const ADD = `#graphql
      mutation ($input: AddExcellentCapRuleInput!) { addExcellentCapRule(input: $input) { rule { provinceCode unitCategory maxShare effectiveFrom } errors { code field } } }`;
    const input = { unitCategory: 'DEFAULT', maxShare: 0.18, effectiveFrom: '2028-01-01', source: '鄂人社〔2027〕5号' };
    const bad = await ev.call(ev.viewer('province_info_admin', '420000'), ADD, { input: { ...input, maxShare: 1.5, effectiveTo: '2027-01-01', source: '' } });
    expect(bad.data.addExcellentCapRule.errors.map((e: { field: string[] }) => e.field[1])).toEqual(['maxShare', 'effectiveTo', 'source']);
    const ok = await ev.call(ev.viewer('province_info_admin', '420000'), ADD, { input });
    expect(ok.data.addExcellentCapRule).toEqual({ rule: { provinceCode: '420000', unitCategory: 'DEFAULT', maxShare: 0.18, effectiveFrom: '2028-01-01' }, errors: [] });
    expect((await ev.call(schoolAdmin(), CAP, { year: 2028 })).data.excellentCap.maxShare).toBe(0.18);
    expect((await ev.call(schoolAdmin(), ADD, { input })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const rules = await ev.call(ev.viewer('county_query', '420115'), `{ excellentCapRules(provinceCode: "420000", on: "2028-06-01") { provinceCode unitCategory maxShare } }`);
    expect(rules.data.excellentCapRules[0]).toEqual({ provinceCode: '420000', unitCategory: 'DEFAULT', maxShare: 0.18 });
  });

  it('entries of excellent for one school and year are serialised, so two cannot both take the last place', async () => {
    // 长阳资丘镇中心学校: 14 teachers, 20% → 2 excellent in 2026; take one, then race for the last.
    const SMALL = '1142000302';
    const admin = ev.viewer('school_info_admin', SMALL);
    const [a, b, c] = teachersOf(SMALL);
    expect((await ev.call(admin, CAP, { year: 2026 })).data.excellentCap).toMatchObject({ maxExcellent: 2, excellentEntered: 0 });
    expect((await ev.call(admin, ENTER, { input: { teacherId: a!.id, year: 2026, grade: 'EXCELLENT' } })).data.enterAnnualAssessment.errors).toEqual([]);

    // A competing writer holds the unit's lock and takes the last place while the entry waits.
    const { db } = ev.server;
    const competitor = await db.knex.transaction();
    await competitor.raw('select pg_advisory_xact_lock(hashtext(?))', [`evaluation:excellent:${SMALL}:2026`]);
    const pending = ev.call(admin, ENTER, { input: { teacherId: b!.id, year: 2026, grade: 'EXCELLENT' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await competitor(db.t('annual_assessment')).insert({ id: randomUUID(), teacher_id: c!.id, year: 2026, grade: 'excellent', assessed_by_org_id: SMALL });
    await competitor.commit();

    const waited = await pending;
    expect(waited.data.enterAnnualAssessment).toMatchObject({ assessment: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'grade'] }] });
    expect((await ev.call(admin, CAP, { year: 2026 })).data.excellentCap).toMatchObject({ excellentEntered: 2, remaining: 0 });
  });
});
