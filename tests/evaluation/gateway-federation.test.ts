import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { countQueries } from '../helpers/query-counter';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const data = buildDemoDataset();
const COUNTY = '420111';
const teacher = data.teachers.find((t) => t.orgPath.includes(`/${COUNTY}/`))!;

const QUERY = `#graphql
  query ($id: ID!) {
    teacher(id: $id) {
      trainingProgress { completedHours cycle { id startsOn endsOn requiredHours } }
      registrationEligibility { status reasons trainingHours requiredHours trainingCredits registration { deadline stage } }
      ethicsBans { inForce }
    }
  }`;

describe('evaluation through the gateway: other subgraphs\' facts arrive by @requires', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    // Timer-driven outbox relays stay idle, so they add no statements to the counts; tests flush by hand.
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the eligibility counts exactly the hours and credits training reports for the registration cycle (training events → evaluation)', async () => {
    const token = await t.token('county_info_admin', COUNTY);
    // Before training's verdicts arrive, the running cycle's hours read through @requires stand in.
    const early = (await t.graphql(token, QUERY, { id: teacher.id })).body;
    expect(early.errors).toBeUndefined();
    expect(early.data.teacher.registrationEligibility).toMatchObject({ trainingHours: early.data.teacher.trainingProgress.completedHours, trainingCredits: null });

    // Training published every demo teacher's cycle verdicts when it banked the demo records; deliver them.
    await t.platform.subgraphs.find((s) => s.name === 'training')!.relay.flush();
    const { body } = await t.graphql(token, `#graphql
      query ($id: ID!) { teacher(id: $id) {
        trainingCycleSummary(cycleId: "2024-2028") { hours credits requiredHours requiredCredits isMet }
        registrationEligibility { status reasons trainingHours requiredHours trainingCredits requiredCredits registration { cycleStartsOn deadline stage } }
      } }`, { id: teacher.id });
    expect(body.errors).toBeUndefined();
    const { trainingCycleSummary: summary, registrationEligibility } = body.data.teacher;
    expect(registrationEligibility).toMatchObject({
      trainingHours: summary.hours,
      requiredHours: summary.requiredHours,
      trainingCredits: summary.credits,
      requiredCredits: summary.requiredCredits,
      registration: { cycleStartsOn: '2024-01-01', deadline: '2028-12-31', stage: 'OPEN' },
    });
    const trainingReasons = registrationEligibility.reasons.filter((r: string) => /training (hours|credits)/.test(r));
    expect(trainingReasons.length > 0).toBe(!summary.isMet);
  });

  it('a page of teachers costs the evaluation subgraph the same statements for 5 as for 50', async () => {
    const token = await t.token('county_info_admin', COUNTY);
    const page = (n: number) =>
      t.graphql(token, `{ teachers(first: ${n}) { nodes { registrationEligibility { status } annualAssessments { year } } } }`);
    const evaluation = t.platform.subgraphs.find((s) => s.name === 'evaluation')!;
    const small = await countQueries([evaluation.db.knex], () => page(5));
    const large = await countQueries([evaluation.db.knex], () => page(50));
    expect(small.result.body.errors).toBeUndefined();
    expect(large.result.body.data.teachers.nodes).toHaveLength(50);
    if (process.env.EVALUATION_MEASURE) process.stdout.write(`evaluation SQL statements: 5 teachers ${small.count}, 50 teachers ${large.count}\n`);
    expect(large.count).toBe(small.count);
  });

  it('title review reads the registry, staffing-quota and training through @requires, and an appointment reaches the archive', async () => {
    const county = await t.token('county_info_admin', COUNTY);
    const CHECK = `#graphql
      query ($id: ID!) { teacher(id: $id) {
        title { code } ruralOrWeakSchoolServiceYears
        titleReviewCheck(targetTitle: SENIOR) { currentTitle ruralOrWeakSchoolServiceYears conditions { key met } }
      } }`;
    const checked = await t.graphql(county, CHECK, { id: teacher.id });
    expect(checked.body.errors).toBeUndefined();
    const archive = checked.body.data.teacher;
    expect(archive.titleReviewCheck.currentTitle).toBe(archive.title?.code ?? null);
    expect(archive.titleReviewCheck.ruralOrWeakSchoolServiceYears).toBe(archive.ruralOrWeakSchoolServiceYears);
    expect(archive.titleReviewCheck.conditions.map((c: { key: string }) => c.key)).toContain('rural_service');

    const run = async (token: string, query: string, input: Record<string, unknown>) => {
      const { body } = await t.graphql(token, query, { input });
      expect(body.errors).toBeUndefined();
      const payload = Object.values(body.data as Record<string, { errors: unknown[]; application: { id: string; version: number } }>)[0]!;
      expect(payload.errors).toEqual([]);
      return payload.application;
    };
    const mutation = (name: string, input: string) => `mutation ($input: ${input}!) { ${name}(input: $input) { application { id version } errors { code message } } }`;
    const self = await t.token('teacher', teacher.schoolId, { teacher_id: teacher.id });
    const school = await t.token('school_info_admin', teacher.schoolId);
    let app = await run(self, 'mutation ($input: ApplyForTitleInput!) { applyForTitle(input: $input) { application { id version } errors { code message } } }', { targetTitle: 'SENIOR' });
    app = await run(school, mutation('recommendTitleApplication', 'TitleStepInput'), { applicationId: app.id, version: app.version });
    const evaluation = t.platform.subgraphs.find((s) => s.name === 'evaluation')!;
    await evaluation.db.knex(evaluation.db.t('title_application')).where('id', app.id).update({ publicity_ends_on: '2000-01-01' });
    app = await run(county, mutation('preReviewTitleApplication', 'TitleDecisionInput'), { applicationId: app.id, version: app.version, approve: true });
    app = await run(await t.token('city_info_admin', '420100'), mutation('decideTitleApplication', 'TitleDecisionInput'), { applicationId: app.id, version: app.version, approve: true });
    const today = new Date().toISOString().slice(0, 10);
    // One free 副高 grade-7 post at the school, which the appointment takes in staffing-quota.
    const slots = await t.graphql(county, `query ($id: ID!) { orgUnit(id: $id) { freePostSlots { category grade occupied } } }`, { id: teacher.schoolId });
    const taken = slots.body.data.orgUnit.freePostSlots.find((x: { category: string; grade: number }) => x.category === 'PROFESSIONAL_TECHNICAL' && x.grade === 7)?.occupied ?? 0;
    const plan = await t.graphql(county, `mutation ($input: SetPostPlanEntryInput!) { setPostPlanEntry(input: $input) { errors { code } } }`, {
      input: { orgUnitId: teacher.schoolId, year: Number(today.slice(0, 4)), category: 'PROFESSIONAL_TECHNICAL', grade: 7, ceiling: taken + 1 },
    });
    expect(plan.body.data.setPostPlanEntry.errors).toEqual([]);
    await run(school, mutation('appointTitle', 'AppointTitleInput'), { applicationId: app.id, version: app.version, appointedOn: today, documentRef: '聘〔2026〕1号' });

    // evaluation → staffing-quota (the post is taken) → evaluation (APPOINTED) → registry (the title).
    await evaluation.relay.flush();
    await t.platform.subgraphs.find((s) => s.name === 'staffing-quota')!.relay.flush();
    await evaluation.relay.flush();
    const after = await t.graphql(county, `query ($id: ID!) { teacher(id: $id) { title { code } titleAppointments { title { code } appointedOn documentRef } } }`, { id: teacher.id });
    expect(after.body.data.teacher.title.code).toBe('senior');
    expect(after.body.data.teacher.titleAppointments).toEqual(expect.arrayContaining([{ title: { code: 'senior' }, appointedOn: today, documentRef: '聘〔2026〕1号' }]));
  });

  it('a missing post slot: title review reads the school\'s free post slots from staffing-quota through @requires', async () => {
    // A public school of the county (demo post plans exist for public schools only) and one of its teachers.
    const school = data.orgUnits.find((o) => o.level === 'school' && o.isPublic && o.path.includes(`/${COUNTY}/`))!;
    const applicant = data.teachers.find((x) => x.schoolId === school.id)!;
    const county = await t.token('county_info_admin', COUNTY);
    const year = Number(new Date().toISOString().slice(0, 4));
    const SLOTS = `#graphql
      query ($id: ID!) { orgUnit(id: $id) { freePostSlots { category grade ceiling occupied free } } }`;
    const PLAN = `#graphql
      mutation ($input: SetPostPlanEntryInput!) { setPostPlanEntry(input: $input) { entry { grade ceiling } errors { code message } } }`;
    const CHECK = `#graphql
      query ($id: ID!) { teacher(id: $id) { titleReviewCheck(targetTitle: SENIOR) { allCheckedMet conditions { key met detail } } } }`;
    const postSlot = async (token: string) => {
      const { body } = await t.graphql(token, CHECK, { id: applicant.id });
      expect(body.errors).toBeUndefined();
      return (body.data.teacher.titleReviewCheck.conditions as { key: string; met: boolean | null; detail: string }[]).find((c) => c.key === 'post_slot')!;
    };
    const setCeiling = async (grade: number, ceiling: number) => {
      const { body } = await t.graphql(county, PLAN, { input: { orgUnitId: school.id, year, category: 'PROFESSIONAL_TECHNICAL', grade, ceiling } });
      expect(body.data.setPostPlanEntry.errors).toEqual([]);
    };

    // 高级教师 is appointed into 副高 posts, professional-technical grades 5–7: fill every one of them.
    const before = await t.graphql(county, SLOTS, { id: school.id });
    expect(before.body.errors).toBeUndefined();
    const occupied = (grade: number) =>
      before.body.data.orgUnit.freePostSlots.find((x: { category: string; grade: number }) => x.category === 'PROFESSIONAL_TECHNICAL' && x.grade === grade)?.occupied ?? 0;
    for (const grade of [5, 6, 7]) await setCeiling(grade, occupied(grade));
    const full = await postSlot(county);
    expect(full.met).toBe(false);
    expect(full.detail).toMatch(/^Every one of your school's professional-technical posts of grades 5–7 \(副高/);
    expect(full.detail).toContain(`grade 7: ${occupied(7)} of ${occupied(7)} taken`);

    // One more grade-7 post in this year's plan: the condition is met.
    await setCeiling(7, occupied(7) + 1);
    const free = await postSlot(county);
    expect(free).toMatchObject({ met: true });
    expect(free.detail).toContain(`grade 7: ${occupied(7)} of ${occupied(7) + 1} taken`);
    // A title-review partner (dossier:read) gets the same answer.
    const partner = await t.token('partner', '420000', { client_id: 'title-review-system', scope: 'dossier:read org:read' });
    expect((await postSlot(partner)).met).toBe(true);
    // The teacher sees their own check without an error; the school's slots are not theirs to read, so it is not checked.
    const self = await t.token('teacher', applicant.schoolId, { teacher_id: applicant.id });
    expect((await postSlot(self)).met).toBeNull();
  });

  it('an award decided in evaluation reaches the registry archive', async () => {
    const province = await t.token('province_info_admin', '420000');
    const created = await t.graphql(province, `mutation ($input: CreateAwardProgrammeInput!) { createAwardProgramme(input: $input) { programme { id } errors { code } } }`, {
      input: { name: '湖北省师德标兵', issuer: '湖北省教育厅', nominationOpensOn: '2026-01-01', nominationClosesOn: '2030-12-31', minYearsPassOrBetter: 0, minExcellentInThoseYears: 0, requiresTrainingComplete: false },
    });
    const programmeId = created.body.data.createAwardProgramme.programme.id;
    const withEthics = new Set(buildDemoEthics(data).map((e) => e.teacher_id));
    const nominee = data.teachers.filter((x) => x.orgPath.includes(`/${COUNTY}/`) && x.id !== teacher.id && !withEthics.has(x.id))[0]!;
    const nominated = await t.graphql(await t.token('county_info_admin', COUNTY), `mutation ($input: NominateForAwardInput!) { nominateForAward(input: $input) { nomination { id version } errors { code message } } }`, {
      input: { programmeId, teacherId: nominee.id },
    });
    expect(nominated.body.data.nominateForAward.errors).toEqual([]);
    const nomination = nominated.body.data.nominateForAward.nomination;
    const decided = await t.graphql(province, `mutation ($input: DecideAwardNominationInput!) { decideAwardNomination(input: $input) { nomination { stage } errors { code } } }`, {
      input: { nominationId: nomination.id, version: nomination.version, awarded: true, awardedOn: '2026-09-10', documentRef: '鄂教师〔2026〕12号' },
    });
    expect(decided.body.data.decideAwardNomination).toEqual({ nomination: { stage: 'AWARDED' }, errors: [] });
    await t.platform.subgraphs.find((s) => s.name === 'evaluation')!.relay.flush();
    const archive = await t.graphql(province, `query ($id: ID!) { teacher(id: $id) { awards { name issuer awardedOn documentRef level { code } } } }`, { id: nominee.id });
    expect(archive.body.data.teacher.awards).toEqual(
      expect.arrayContaining([{ name: '湖北省师德标兵', issuer: '湖北省教育厅', awardedOn: '2026-09-10', documentRef: '鄂教师〔2026〕12号', level: { code: 'provincial' } }]),
    );
  });
});
