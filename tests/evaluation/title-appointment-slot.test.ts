import pino from 'pino';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { staffingQuota } from '../../subgraphs/staffing-quota/src/index';
import { applyEvent, type PlatformEvent } from '../../subgraphs/shared/src/events';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * Issue #6: a title appointment takes a post slot. evaluation's appointTitle asks staffing-quota
 * (event), staffing-quota takes a free post of the title's grades under row locks or refuses with the
 * figures, and its answer completes (or refuses) the application. Everything through the real gateway
 * and the real outbox/intake, on real PostgreSQL.
 */
const data = buildDemoDataset();
const withEthics = new Set(buildDemoEthics(data).map((e) => e.teacher_id));
const COUNTY = '420111';
const schools = data.orgUnits.filter((o) => o.level === 'school' && o.isPublic && o.path.includes(`/${COUNTY}/`));
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const year = Number(today.slice(0, 4));
const silent = pino({ level: 'silent' });

interface Slot {
  category: string;
  grade: number;
  ceiling: number;
  occupied: number;
}
interface Post {
  category: string;
  grade: number;
  startsOn: string;
  endsOn: string | null;
}

describe('title appointment takes a post slot in staffing-quota', () => {
  let t: TestPlatform;
  const sub = (name: string) => t.platform.subgraphs.find((s) => s.name === name)!;
  beforeAll(async () => {
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const ok = async (token: string, query: string, variables: Record<string, unknown>) => {
    const { body } = await t.graphql(token, query, variables);
    expect(body.errors).toBeUndefined();
    const payload = Object.values(body.data as Record<string, { errors: unknown[] } & Record<string, unknown>>)[0]!;
    expect(payload.errors).toEqual([]);
    return payload;
  };
  const STEP = (name: string, input: string) => `mutation ($input: ${input}!) { ${name}(input: $input) { application { id stage version } errors { code message field } } }`;

  /** Runs a teacher's SENIOR application through the workflow up to APPROVED. */
  async function approvedApplication(teacherId: string, schoolId: string) {
    const self = await t.token('teacher', schoolId, { teacher_id: teacherId });
    const school = await t.token('school_info_admin', schoolId);
    let app = (await ok(self, 'mutation ($input: ApplyForTitleInput!) { applyForTitle(input: $input) { application { id stage version } errors { code message } } }', { input: { targetTitle: 'SENIOR' } })).application as { id: string; version: number };
    app = (await ok(school, STEP('recommendTitleApplication', 'TitleStepInput'), { input: { applicationId: app.id, version: app.version } })).application as typeof app;
    // The publicity period [公示期] has run its course.
    await sub('evaluation').db.knex(sub('evaluation').db.t('title_application')).where('id', app.id).update({ publicity_ends_on: '2000-01-01' });
    app = (await ok(await t.token('county_info_admin', COUNTY), STEP('preReviewTitleApplication', 'TitleDecisionInput'), { input: { applicationId: app.id, version: app.version, approve: true } })).application as typeof app;
    app = (await ok(await t.token('city_info_admin', '420100'), STEP('decideTitleApplication', 'TitleDecisionInput'), { input: { applicationId: app.id, version: app.version, approve: true } })).application as typeof app;
    return app;
  }
  const appoint = async (schoolId: string, app: { id: string; version: number }, documentRef: string) =>
    (await ok(await t.token('school_info_admin', schoolId), STEP('appointTitle', 'AppointTitleInput'), { input: { applicationId: app.id, version: app.version, appointedOn: today, documentRef } })).application as {
      id: string;
      stage: string;
      version: number;
    };

  const READ = `#graphql
    query ($id: ID!) { teacher(id: $id) {
      title { code }
      postAppointments { category grade startsOn endsOn }
      titleApplications { id stage slotRefusedReason postGrade appointedOn version }
    } }`;
  const read = async (teacherId: string) => {
    const { body } = await t.graphql(await t.token('county_info_admin', COUNTY), READ, { id: teacherId });
    expect(body.errors).toBeUndefined();
    return body.data.teacher as { title: { code: string } | null; postAppointments: Post[]; titleApplications: { id: string; stage: string; slotRefusedReason: string | null; postGrade: number | null; version: number }[] };
  };
  const slots = async (schoolId: string): Promise<Slot[]> => {
    const { body } = await t.graphql(await t.token('county_info_admin', COUNTY), `query ($id: ID!) { orgUnit(id: $id) { freePostSlots { category grade ceiling occupied } } }`, { id: schoolId });
    return body.data.orgUnit.freePostSlots;
  };
  const setCeiling = async (schoolId: string, grade: number, ceiling: number) =>
    ok(await t.token('county_info_admin', COUNTY), `mutation ($input: SetPostPlanEntryInput!) { setPostPlanEntry(input: $input) { entry { grade ceiling } errors { code message } } }`, {
      input: { orgUnitId: schoolId, year, category: 'PROFESSIONAL_TECHNICAL', grade, ceiling },
    });
  const occupied = (all: Slot[], grade: number) => all.find((s) => s.category === 'PROFESSIONAL_TECHNICAL' && s.grade === grade)?.occupied ?? 0;
  const inForce = (posts: Post[]) => posts.filter((p) => p.startsOn <= today && (p.endsOn === null || p.endsOn >= today));

  /** Teachers of a school without ethics entries whose post today lies outside 副高 (grades 5–7). */
  async function candidates(schoolId: string, n: number) {
    const found: string[] = [];
    for (const teacher of data.teachers.filter((x) => x.schoolId === schoolId && !withEthics.has(x.id))) {
      const posts = inForce((await read(teacher.id)).postAppointments);
      if (posts.length === 1 && (posts[0]!.grade < 5 || posts[0]!.grade > 7)) found.push(teacher.id);
      if (found.length === n) return found;
    }
    throw new Error(`fewer than ${n} candidates at ${schoolId}`);
  }

  /** Delivers evaluation's request to staffing-quota, staffing's answer back, and the title to the registry. */
  async function deliverAll() {
    await sub('evaluation').relay.flush();
    await sub('staffing-quota').relay.flush();
    await sub('evaluation').relay.flush();
  }

  it('the last free 副高 post: the first appointment takes it, the second is refused with the figures', async () => {
    const school = schools[0]!.id;
    const [first, second] = await candidates(school, 2);
    const before = await slots(school);
    // Exactly one free 副高 post: grades 5 and 6 full, grade 7 one above what is taken.
    await setCeiling(school, 5, occupied(before, 5));
    await setCeiling(school, 6, occupied(before, 6));
    await setCeiling(school, 7, occupied(before, 7) + 1);
    const firstPostBefore = inForce((await read(first!)).postAppointments)[0]!;

    const a1 = await appoint(school, await approvedApplication(first!, school), '聘〔2026〕21号');
    const a2 = await appoint(school, await approvedApplication(second!, school), '聘〔2026〕22号');
    expect([a1.stage, a2.stage]).toEqual(['APPOINTMENT_PENDING', 'APPOINTMENT_PENDING']);
    await deliverAll();

    const firstAfter = await read(first!);
    expect(firstAfter.titleApplications[0]).toMatchObject({ id: a1.id, stage: 'APPOINTED', postGrade: 7, slotRefusedReason: null });
    // The post is taken in staffing-quota: the old post ends yesterday, the 副高 grade-7 post starts today.
    expect(firstAfter.postAppointments).toEqual(
      expect.arrayContaining([
        { category: 'PROFESSIONAL_TECHNICAL', grade: 7, startsOn: today, endsOn: null },
        { ...firstPostBefore, endsOn: yesterday },
      ]),
    );
    // … and the title reached the registry's archive.
    expect(firstAfter.title?.code).toBe('senior');

    const secondAfter = await read(second!);
    expect(secondAfter.titleApplications[0]).toMatchObject({ id: a2.id, stage: 'SLOT_REFUSED', postGrade: null });
    expect(secondAfter.titleApplications[0]!.slotRefusedReason).toBe(
      `Every professional-technical post of grades 5–7 (副高 (deputy senior)) at ${school} is taken on ${today} (grade 5: ${occupied(before, 5)} of ${occupied(before, 5)} taken; grade 6: ${occupied(before, 6)} of ${occupied(before, 6)} taken; grade 7: ${occupied(before, 7) + 1} of ${occupied(before, 7) + 1} taken); the title can be appointed when a post is free.`,
    );
    expect(inForce(secondAfter.postAppointments).some((p) => p.grade >= 5 && p.grade <= 7)).toBe(false);
    expect(secondAfter.title?.code).not.toBe('senior');
    const after = await slots(school);
    expect(occupied(after, 7)).toBe(occupied(before, 7) + 1);

    // A post freed later: the school appoints the refused application again, and it takes the post.
    await setCeiling(school, 7, occupied(before, 7) + 2);
    const retried = await appoint(school, { id: a2.id, version: secondAfter.titleApplications[0]!.version }, '聘〔2026〕22号');
    expect(retried.stage).toBe('APPOINTMENT_PENDING');
    await deliverAll();
    expect((await read(second!)).titleApplications[0]).toMatchObject({ stage: 'APPOINTED', postGrade: 7 });
  });

  it('two requests racing for the last post: exactly one takes it (row locks in staffing-quota)', async () => {
    const school = schools[1]!.id;
    const [first, second] = await candidates(school, 2);
    const before = await slots(school);
    for (const grade of [5, 6]) await setCeiling(school, grade, occupied(before, grade));
    await setCeiling(school, 7, occupied(before, 7) + 1);
    const a1 = await appoint(school, await approvedApplication(first!, school), '聘〔2026〕31号');
    const a2 = await appoint(school, await approvedApplication(second!, school), '聘〔2026〕32号');

    // Deliver both requests to staffing-quota's intake at the same moment, as two relay replicas could.
    const evaluation = sub('evaluation');
    const requests = await evaluation.db.knex(evaluation.db.t('outbox')).where({ type: 'evaluation.title-appointment-requested' }).whereNull('delivered_at');
    expect(requests.map((r: { payload: { applicationId: string } }) => r.payload.applicationId).sort()).toEqual([a1.id, a2.id].sort());
    const staffing = sub('staffing-quota');
    const outcomes = await Promise.all(
      requests.map((r: { event_id: string; type: string; payload: Record<string, unknown>; occurred_at: Date }) =>
        applyEvent(staffing.db, staffingQuota.eventHandlers!, { id: r.event_id, type: r.type, source: 'evaluation', occurredAt: new Date(r.occurred_at).toISOString(), payload: r.payload } as PlatformEvent, silent),
      ),
    );
    expect(outcomes).toEqual(['applied', 'applied']);
    await evaluation.db.knex(evaluation.db.t('outbox')).whereIn('id', requests.map((r: { id: number }) => r.id)).update({ delivered_at: new Date() });
    const decided = await staffing.db.knex(staffing.db.t('title_post_request')).whereIn('application_id', [a1.id, a2.id]);
    expect(decided.map((d: { outcome: string }) => d.outcome).sort()).toEqual(['appointed', 'refused']);
    expect(occupied(await slots(school), 7)).toBe(occupied(before, 7) + 1);

    await deliverAll();
    const stages = [(await read(first!)).titleApplications[0]!.stage, (await read(second!)).titleApplications[0]!.stage].sort();
    expect(stages).toEqual(['APPOINTED', 'SLOT_REFUSED']);
  });

  it('a missing post slot: a school whose plan has no 副高 posts refuses the appointment, nothing is appointed', async () => {
    const school = schools[2] ?? schools[0]!;
    const [teacher] = await candidates(school.id, 1);
    for (const grade of [5, 6, 7]) await setCeiling(school.id, grade, 0);
    const postsBefore = (await read(teacher!)).postAppointments;
    const app = await appoint(school.id, await approvedApplication(teacher!, school.id), '聘〔2026〕41号');
    await deliverAll();
    const after = await read(teacher!);
    expect(after.titleApplications[0]).toMatchObject({
      id: app.id,
      stage: 'SLOT_REFUSED',
      slotRefusedReason: `${school.id}'s ${year} post plan has no professional-technical posts of grades 5–7 (副高 (deputy senior)), so there is no post to appoint the title into.`,
    });
    expect(after.postAppointments).toEqual(postsBefore);
    expect(after.title?.code).not.toBe('senior');
  });
});
