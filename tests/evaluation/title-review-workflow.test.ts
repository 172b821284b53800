import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { evaluation } from '../../subgraphs/evaluation/src/index';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { startEvaluation, TEACHER_ENTITIES, type EvaluationService } from './evaluation-service';

const silent = pino({ level: 'silent' });

const data = buildDemoDataset();
const demoEthics = buildDemoEthics(data);
const withEthics = new Set(demoEthics.map((e) => e.teacher_id));
const SCHOOL = '1142000102'; // 华中师范大学第一附属中学, 洪山区 420111, 武汉市 420100, urban
const [applicant] = data.teachers.filter((t) => t.schoolId === SCHOOL && !withEthics.has(t.id));
const today = new Date().toISOString().slice(0, 10);
const banned = demoEthics.find((e) => e.kind === 'violation' && e.sanction !== 'dismissal' && e.ban_ends_on! >= today && e.decided_on <= today)!;
const bannedTeacher = data.teachers.find((t) => t.id === banned.teacher_id)!;

const APPLY = `#graphql
  mutation ($input: ApplyForTitleInput!) { applyForTitle(input: $input) { application { id stage targetTitle school { id } version } errors { code field message } } }`;
const STEP = (name: string, input: string) => `#graphql
  mutation ($input: ${input}!) { ${name}(input: $input) {
    application { id stage publicityStartsOn publicityEndsOn preReviewedOn decidedOn decisionNote appointedOn documentRef version }
    errors { code field message } } }`;
const CHECK = TEACHER_ENTITIES('titleReviewCheck(targetTitle: SENIOR) { currentTitle yearsInCurrentTitle ruralOrWeakSchoolServiceYears allCheckedMet conditions { key met detail } }');

/** A representation as the gateway sends it with the registry's, staffing-quota's and training's fields. */
const rep = (id: string, ruralYears: number) => ({
  __typename: 'Teacher',
  id,
  educationLevel: { code: '21' },
  title: { code: 'first' },
  titleAppointments: [{ title: { code: 'first' }, appointedOn: '2019-09-01', endsOn: null }],
  school: { school: { locale: 'URBAN' } },
  ruralOrWeakSchoolServiceYears: ruralYears,
  trainingProgress: { isComplete: true },
});

describe('title review', () => {
  let ev: EvaluationService;
  beforeAll(async () => {
    ev = await startEvaluation();
  });
  afterAll(async () => {
    await ev?.stop();
  });

  it('pre-fills the conditions from the shared records: an urban teacher without rural service misses one, the post slot is left to staffing', async () => {
    const body = await ev.call(ev.viewer('county_info_admin', '420111'), CHECK, { representations: [rep(applicant!.id, 0), rep(applicant!.id, 1.5)] });
    expect(body.errors).toBeUndefined();
    const [without, withService] = body.data._entities.map((e: { titleReviewCheck: unknown }) => e.titleReviewCheck);
    const byKey = (check: { conditions: { key: string; met: boolean | null }[] }) => Object.fromEntries(check.conditions.map((c) => [c.key, c.met]));
    expect(byKey(without)).toMatchObject({ current_title: true, years_in_title: true, education: true, rural_service: false, training: true, ethics: true, post_slot: null });
    expect(without.allCheckedMet).toBe(false);
    expect(byKey(withService).rural_service).toBe(true);
    expect(withService).toMatchObject({ currentTitle: 'first', ruralOrWeakSchoolServiceYears: 1.5 });
  });

  it('runs apply → recommend and publish → pre-review after publicity → committee → appointment, and sends the title to the registry', async () => {
    const teacher = ev.viewer('teacher', SCHOOL, { teacherId: applicant!.id });
    const school = ev.viewer('school_info_admin', SCHOOL);
    const applied = await ev.call(teacher, APPLY, { input: { targetTitle: 'SENIOR' } });
    expect(applied.data.applyForTitle).toMatchObject({ application: { stage: 'APPLIED', targetTitle: 'SENIOR', school: { id: SCHOOL }, version: 1 }, errors: [] });
    const id = applied.data.applyForTitle.application.id;
    expect((await ev.call(teacher, APPLY, { input: { targetTitle: 'SENIOR' } })).data.applyForTitle.errors[0].code).toBe('DUPLICATE');

    const recommended = await ev.call(school, STEP('recommendTitleApplication', 'TitleStepInput'), { input: { applicationId: id, version: 1 } });
    const app = recommended.data.recommendTitleApplication.application;
    expect(app).toMatchObject({ stage: 'PUBLICISED', publicityStartsOn: today, version: 2 });
    expect((Date.parse(app.publicityEndsOn) - Date.parse(today)) / 86_400_000).toBe(4); // five days, today included

    const county = ev.viewer('county_info_admin', '420111');
    const early = await ev.call(county, STEP('preReviewTitleApplication', 'TitleDecisionInput'), { input: { applicationId: id, version: 2, approve: true } });
    expect(early.data.preReviewTitleApplication.errors[0]).toMatchObject({ code: 'INVALID_STATE', field: ['input', 'applicationId'] });
    // Let the publicity period end.
    await ev.server.db.knex(ev.server.db.t('title_application')).where('id', id).update({ publicity_ends_on: '2000-01-01' });
    const rejectWithoutReason = await ev.call(county, STEP('preReviewTitleApplication', 'TitleDecisionInput'), { input: { applicationId: id, version: 2, approve: false } });
    expect(rejectWithoutReason.data.preReviewTitleApplication.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'note'] })]);
    const preReviewed = await ev.call(county, STEP('preReviewTitleApplication', 'TitleDecisionInput'), { input: { applicationId: id, version: 2, approve: true } });
    expect(preReviewed.data.preReviewTitleApplication.application).toMatchObject({ stage: 'PRE_REVIEWED', preReviewedOn: today, version: 3 });

    // The committee sits at city level or above; a county cannot decide, another city cannot see it.
    expect((await ev.call(county, STEP('decideTitleApplication', 'TitleDecisionInput'), { input: { applicationId: id, version: 3, approve: true } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const otherCity = await ev.call(ev.viewer('city_info_admin', '420500'), STEP('decideTitleApplication', 'TitleDecisionInput'), { input: { applicationId: id, version: 3, approve: true } });
    expect(otherCity.data.decideTitleApplication.errors[0].code).toBe('NOT_FOUND');
    const decided = await ev.call(ev.viewer('city_info_admin', '420100'), STEP('decideTitleApplication', 'TitleDecisionInput'), { input: { applicationId: id, version: 3, approve: true, note: '评审通过' } });
    expect(decided.data.decideTitleApplication.application).toMatchObject({ stage: 'APPROVED', decisionNote: '评审通过', version: 4 });

    const bad = await ev.call(school, STEP('appointTitle', 'AppointTitleInput'), { input: { applicationId: id, version: 4, appointedOn: '2099-01-01', documentRef: ' ' } });
    expect(bad.data.appointTitle.errors.map((e: { field: string[] }) => e.field[1])).toEqual(['appointedOn', 'documentRef']);
    const notDate = await ev.call(school, STEP('appointTitle', 'AppointTitleInput'), { input: { applicationId: id, version: 4, appointedOn: '2026-02-30', documentRef: 'x' } });
    expect(notDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT'); // the Date scalar refuses 30 February
    const outbox = (type: string) => ev.server.db.knex(ev.server.db.t('outbox')).where({ type });
    expect(await outbox('evaluation.title-appointment-requested')).toHaveLength(0);
    const appointed = await ev.call(school, STEP('appointTitle', 'AppointTitleInput'), { input: { applicationId: id, version: 4, appointedOn: today, documentRef: '华师一附中聘〔2026〕7号' } });
    // The appointment waits for staffing-quota to take a post of grades 5–7 (副高) at the school.
    expect(appointed.data.appointTitle.application).toMatchObject({ stage: 'APPOINTMENT_PENDING', appointedOn: today, documentRef: '华师一附中聘〔2026〕7号', version: 5 });
    expect(await outbox('evaluation.title-appointment-requested')).toEqual([
      expect.objectContaining({
        consumer: 'staffing-quota',
        payload: expect.objectContaining({ applicationId: id, teacherId: applicant!.id, schoolId: SCHOOL, title: 'senior', gradeFrom: 5, gradeTo: 7, startsOn: today }),
      }),
    ]);
    expect(await outbox('evaluation.title-awarded')).toHaveLength(0);

    // Staffing-quota's answer arrives as an event: a refusal keeps the application open with the reason …
    const answer = (payload: Record<string, unknown>) =>
      applyEvent(ev.server.db, evaluation.eventHandlers!, { id: randomUUID(), type: 'staffing.title-post-decided', source: 'staffing-quota', occurredAt: new Date().toISOString(), payload }, silent);
    await answer({ applicationId: id, teacherId: applicant!.id, outcome: 'refused', reason: 'Every professional-technical post of grades 5–7 is taken.' });
    const FIELDS = TEACHER_ENTITIES('titleApplications { id stage slotRefusedReason postGrade version }');
    const read = async () => (await ev.call(school, FIELDS, { representations: [{ __typename: 'Teacher', id: applicant!.id }] })).data._entities[0].titleApplications[0];
    expect(await read()).toMatchObject({ stage: 'SLOT_REFUSED', slotRefusedReason: 'Every professional-technical post of grades 5–7 is taken.', postGrade: null, version: 6 });
    expect((await ev.call(teacher, APPLY, { input: { targetTitle: 'SENIOR' } })).data.applyForTitle.errors[0].code).toBe('DUPLICATE');
    // … and the school may appoint again; a post taken completes it and sends the title to the registry.
    const again = await ev.call(school, STEP('appointTitle', 'AppointTitleInput'), { input: { applicationId: id, version: 6, appointedOn: today, documentRef: '华师一附中聘〔2026〕7号' } });
    expect(again.data.appointTitle.application).toMatchObject({ stage: 'APPOINTMENT_PENDING', version: 7 });
    await answer({ applicationId: id, teacherId: applicant!.id, outcome: 'appointed', grade: 7, category: 'professional_technical', startsOn: today, appointmentId: randomUUID() });
    expect(await read()).toMatchObject({ stage: 'APPOINTED', slotRefusedReason: null, postGrade: 7, version: 8 });
    expect(await outbox('evaluation.title-awarded')).toEqual([
      expect.objectContaining({ consumer: 'teacher-registry', payload: { teacherId: applicant!.id, title: 'senior', awardedOn: today, documentRef: '华师一附中聘〔2026〕7号' } }),
    ]);
    // A stray second answer changes nothing.
    await answer({ applicationId: id, teacherId: applicant!.id, outcome: 'refused', reason: 'late' });
    expect(await read()).toMatchObject({ stage: 'APPOINTED', version: 8 });
    // A malformed answer is acknowledged (not redelivered forever) and changes nothing.
    await expect(answer({ applicationId: 'not-an-id', outcome: 'appointed' })).resolves.toBe('applied');
    expect(await read()).toMatchObject({ stage: 'APPOINTED', version: 8 });
  });

  it('refuses an application while an ethics ban is in force (one-vote veto), and audits that read', async () => {
    const teacher = ev.viewer('teacher', bannedTeacher.schoolId, { teacherId: bannedTeacher.id });
    const body = await ev.call(teacher, APPLY, { input: { targetTitle: 'FIRST' } });
    expect(body.data.applyForTitle).toMatchObject({ application: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'targetTitle'] }] });
    expect(body.data.applyForTitle.errors[0].message).toContain(banned.ban_ends_on);
    expect(await ev.server.db.knex(ev.server.db.t('title_application')).where('teacher_id', bannedTeacher.id)).toHaveLength(0);
    const audit = await ev.server.db.knex(ev.server.db.t('ethics_read_audit')).where({ teacher_id: bannedTeacher.id, action: 'read_for_title_review' });
    expect(audit).toEqual([expect.objectContaining({ viewer_role: 'teacher', viewer_subject: `test-teacher-${bannedTeacher.schoolId}` })]);
  });
});
