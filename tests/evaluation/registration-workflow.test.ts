import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { countQueries } from '../helpers/query-counter';
import { startEvaluation, TEACHER_ENTITIES, type EvaluationService } from './evaluation-service';

const data = buildDemoDataset();
const withEthics = new Set(buildDemoEthics(data).map((e) => e.teacher_id));
const COUNTY = '420115';
const clean = data.teachers.filter((t) => t.orgPath.includes(`/${COUNTY}/`) && !withEthics.has(t.id));
const [applicant, second, third] = clean;

const REGS = TEACHER_ENTITIES('qualificationRegistrations { id stage deadline version }');
const ELIGIBILITY = TEACHER_ENTITIES('registrationEligibility { required status reasons trainingHours requiredHours failingYears registration { deadline stage } }');
const STEP = (name: string) => `#graphql
  mutation ($input: RegistrationStepInput!) { ${name}(input: $input) { registration { id stage appliedOn filedOn registeredOn version } errors { code field message } } }`;
const APPLY = `#graphql
  mutation ($input: ApplyForRegistrationInput!) { applyForQualificationRegistration(input: $input) { registration { id stage version } errors { code field } } }`;
const BATCH = `#graphql
  mutation ($dueBy: Date!) { registerDueQualifications(input: { dueBy: $dueBy }) { registeredCount registrations { id stage } errors { code } } }`;
const DUE = `#graphql
  query ($dueBy: Date!, $stage: RegistrationStage, $first: Int) { qualificationRegistrationsDue(dueBy: $dueBy, stage: $stage, first: $first) { totalCount nodes { id teacher { id } } pageInfo { hasNextPage } } }`;

/** A representation as the gateway sends it once training and staffing-quota answered the @requires fields. */
const rep = (id: string, hours: number) => ({
  __typename: 'Teacher',
  id,
  trainingProgress: { completedHours: hours, cycle: { id: '2024-2028', startsOn: '2024-01-01', endsOn: '2028-12-31', requiredHours: 360 } },
  employments: [{ onQuota: true, startsOn: '2010-09-01', endsOn: null }],
});

describe('qualification registration workflow', () => {
  let ev: EvaluationService;
  const county = () => ev.viewer('county_info_admin', COUNTY);
  const registrationOf = async (teacherId: string) =>
    (await ev.call(county(), REGS, { representations: [{ __typename: 'Teacher', id: teacherId }] })).data._entities[0].qualificationRegistrations[0];

  beforeAll(async () => {
    ev = await startEvaluation();
  });
  afterAll(async () => {
    await ev?.stop();
  });

  it('computes the outcome from the federated training hours and employment plus local assessments', async () => {
    const passing = data.assessments.filter((a) => a.teacherId === applicant!.id && a.year >= 2024);
    const body = await ev.call(county(), ELIGIBILITY, { representations: [rep(applicant!.id, 360), rep(applicant!.id, 359)] });
    expect(body.errors).toBeUndefined();
    const [full, short] = body.data._entities;
    const gradeReasons = passing.filter((a) => a.grade === 'fail' || a.grade === 'basic_pass').length;
    expect(full.registrationEligibility).toMatchObject({ required: true, trainingHours: 360, requiredHours: 360, registration: { deadline: '2028-12-31', stage: 'OPEN' } });
    expect(full.registrationEligibility.status).toBe(gradeReasons ? 'DEFERRED' : 'PASS');
    expect(short.registrationEligibility.status).toBe('DEFERRED');
    expect(short.registrationEligibility.reasons).toContain('You have 359 of the 360 training hours the cycle requires (1 missing).');
  });

  it('runs teacher applies → school files → county registers, each step only by its actor and from its stage', async () => {
    const reg = await registrationOf(applicant!.id);
    const schoolAdmin = ev.viewer('school_info_admin', applicant!.schoolId);
    const self = ev.viewer('teacher', applicant!.schoolId, { teacherId: applicant!.id });

    // Filing before the teacher applied is the wrong stage; another teacher cannot apply for it.
    const early = await ev.call(schoolAdmin, STEP('fileQualificationRegistration'), { input: { registrationId: reg.id, version: 1 } });
    expect(early.data.fileQualificationRegistration.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'registrationId'] })]);
    const impostor = await ev.call(ev.viewer('teacher', second!.schoolId, { teacherId: second!.id }), APPLY, { input: { registrationId: reg.id, version: 1 } });
    expect(impostor.data.applyForQualificationRegistration.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'registrationId'] }]);

    const applied = await ev.call(self, APPLY, { input: { registrationId: reg.id, version: 1 } });
    expect(applied.data.applyForQualificationRegistration).toEqual({ registration: { id: reg.id, stage: 'APPLIED', version: 2 }, errors: [] });
    const stale = await ev.call(schoolAdmin, STEP('fileQualificationRegistration'), { input: { registrationId: reg.id, version: 1 } });
    expect(stale.data.fileQualificationRegistration.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    const filed = await ev.call(schoolAdmin, STEP('fileQualificationRegistration'), { input: { registrationId: reg.id, version: 2 } });
    expect(filed.data.fileQualificationRegistration.registration).toMatchObject({ stage: 'FILED', version: 3 });

    const otherCounty = await ev.call(ev.viewer('county_info_admin', '420111'), STEP('registerQualification'), { input: { registrationId: reg.id, version: 3 } });
    expect(otherCounty.data.registerQualification.errors[0].code).toBe('NOT_FOUND');
    const denied = await ev.call(schoolAdmin, STEP('registerQualification'), { input: { registrationId: reg.id, version: 3 } });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const registered = await ev.call(county(), STEP('registerQualification'), { input: { registrationId: reg.id, version: 3 } });
    expect(registered.data.registerQualification.registration).toMatchObject({ stage: 'REGISTERED', version: 4 });
    expect(registered.data.registerQualification.registration.registeredOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const bad = await ev.call(county(), STEP('registerQualification'), { input: { registrationId: 'x', version: 0 } });
    expect(bad.data.registerQualification.errors.map((e: { field: string[] }) => e.field)).toEqual([['input', 'registrationId'], ['input', 'version']]);
  });

  it('batch-registers a county\'s filed registrations due by a date in one statement, and nothing outside the county', async () => {
    for (const teacher of [second!, third!]) {
      const reg = await registrationOf(teacher.id);
      await ev.call(ev.viewer('teacher', teacher.schoolId, { teacherId: teacher.id }), APPLY, { input: { registrationId: reg.id, version: 1 } });
      await ev.call(ev.viewer('school_info_admin', teacher.schoolId), STEP('fileQualificationRegistration'), { input: { registrationId: reg.id, version: 2 } });
    }
    const due = await ev.call(county(), DUE, { dueBy: '2028-12-31', stage: 'FILED' });
    expect(due.data.qualificationRegistrationsDue.totalCount).toBe(2);
    expect((await ev.call(county(), DUE, { dueBy: '2028-12-30', stage: 'FILED' })).data.qualificationRegistrationsDue.totalCount).toBe(0);
    const all = await ev.call(county(), DUE, { dueBy: '2028-12-31', first: 5 });
    expect(all.data.qualificationRegistrationsDue).toMatchObject({ totalCount: data.teachers.filter((t) => t.orgPath.includes(`/${COUNTY}/`)).length, pageInfo: { hasNextPage: true } });

    const none = await countQueries([ev.server.db.knex], () => ev.call(ev.viewer('county_info_admin', '420111'), BATCH, { dueBy: '2028-12-31' }));
    expect(none.result.data.registerDueQualifications.registeredCount).toBe(0);
    const { result, count } = await countQueries([ev.server.db.knex], () => ev.call(county(), BATCH, { dueBy: '2028-12-31' }));
    expect(result.data.registerDueQualifications).toMatchObject({ registeredCount: 2, errors: [] });
    expect(result.data.registerDueQualifications.registrations.every((r: { stage: string }) => r.stage === 'REGISTERED')).toBe(true);
    // One UPDATE for the whole batch: registering 2 costs what registering none costs (begin, update,
    // commit, plus the platform's audit of the write), plus one select of the registered rows.
    expect(count).toBeLessThanOrEqual(none.count + 1);
  });

  it('shows partners the outcome without ethics details, and audits that read of the ledger', async () => {
    const teacher = clean[5]!;
    await ev.call(county(), `#graphql
      mutation ($input: RecordEthicsEntryInput!) { recordEthicsEntry(input: $input) { errors { code } } }`, {
      input: { teacherId: teacher.id, kind: 'VIOLATION', sanction: 'DEMOTION', summary: '收受礼金', decidedOn: '2025-03-01', authority: '江夏区教育局', documentRef: '江教纪〔2025〕2号' },
    });
    const partner = ev.viewer('partner', COUNTY, { clientId: 'registration-system', scopes: ['dossier:read'] });
    const audits = async () => Number((await ev.server.db.knex(ev.server.db.t('ethics_read_audit')).where({ teacher_id: teacher.id, action: 'read_for_registration' }).count('* as n').first())?.n);
    const before = await audits();
    const body = await ev.call(partner, ELIGIBILITY, { representations: [rep(teacher.id, 400)] });
    expect(body.data._entities[0].registrationEligibility.status).toBe('FAIL');
    expect(body.data._entities[0].registrationEligibility.reasons).toContain('A serious ethics sanction bars registration.');
    expect(await audits()).toBe(before + 1);
    const own = await ev.call(ev.viewer('teacher', teacher.schoolId, { teacherId: teacher.id }), ELIGIBILITY, { representations: [rep(teacher.id, 400)] });
    expect(own.data._entities[0].registrationEligibility.reasons).toContain('A serious ethics sanction (demotion) was decided on 2025-03-01.');
  });
});
