import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { staffingQuota } from '../../subgraphs/staffing-quota/src/index';
import { outboxOf, startStaffing, type StaffingService } from './staffing-service';

/**
 * Issue #6: staffing-quota takes a post for a title appointment evaluation asks for
 * (evaluation.title-appointment-requested) and answers staffing.title-post-decided. The subgraph
 * alone, on real PostgreSQL; the race and the gateway path are in tests/evaluation/title-appointment-slot.
 */
const data = buildDemoDataset();
const today = new Date().toISOString().slice(0, 10);
const year = Number(today.slice(0, 4));
const school = data.orgUnits.find((o) => o.level === 'school' && o.isPublic && o.path.includes('/420111/'))!;
const [first, second] = data.teachers.filter((t) => t.schoolId === school.id);
const otherSchool = data.orgUnits.find((o) => o.level === 'school' && o.isPublic && o.id !== school.id)!;

describe('staffing-quota takes the post of a title appointment', () => {
  let s: StaffingService;
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  const request = async (payload: Record<string, unknown>) => {
    const event = { id: randomUUID(), type: 'evaluation.title-appointment-requested' as const, source: 'evaluation', occurredAt: new Date().toISOString(), payload };
    expect(await applyEvent(s.server.db, staffingQuota.eventHandlers!, event, pino({ level: 'silent' }))).toBe('applied');
    const answers = await outboxOf(s, 'staffing.title-post-decided');
    return answers.at(-1)?.payload as { applicationId: string; outcome: string; grade?: number; reason?: string } | undefined;
  };
  const senior = (teacherId: string, over: Record<string, unknown> = {}) => ({
    applicationId: randomUUID(), teacherId, schoolId: school.id, title: 'senior', gradeFrom: 5, gradeTo: 7, gradeWords: '副高 (deputy senior)', startsOn: today, documentRef: '聘1号', ...over,
  });
  const plan = (grade: number, ceiling: number) =>
    s.server.db.knex(s.server.db.t('post_plan')).insert({ org_id: school.id, year, category: 'professional_technical', grade, ceiling }).onConflict(['org_id', 'year', 'category', 'grade']).merge({ ceiling });
  const held = async (grade: number) =>
    Number(((await s.server.db.knex(s.server.db.t('post_appointment')).where({ org_id: school.id, category: 'professional_technical', grade }).where('starts_on', '<=', today).where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', today)).count('* as n').first()) as { n: string }).n);

  it('takes the band\'s entry grade first (7, then 6), ends the old post the day before, and answers appointed', async () => {
    await plan(5, (await held(5)) + 1);
    await plan(6, (await held(6)) + 1);
    await plan(7, (await held(7)) + 1);
    const a = senior(first!.id);
    expect(await request(a)).toMatchObject({ applicationId: a.applicationId, outcome: 'appointed', grade: 7, startsOn: today });
    const b = senior(second!.id);
    expect(await request(b)).toMatchObject({ applicationId: b.applicationId, outcome: 'appointed', grade: 6 });
    const posts = await s.server.db.knex(s.server.db.t('post_appointment')).where('teacher_id', first!.id).orderBy('starts_on');
    expect(posts.at(-1)).toMatchObject({ grade: 7, starts_on: today, ends_on: null });
    expect(posts.filter((p: { ends_on: string | null }) => p.ends_on === null)).toHaveLength(1);
    expect(await s.server.db.knex(s.server.db.t('title_post_request')).whereIn('application_id', [a.applicationId, b.applicationId]).pluck('outcome')).toEqual(['appointed', 'appointed']);
  });

  it('refuses in words: a teacher another school employs, a malformed request; nothing appointed', async () => {
    const count = async () => Number(((await s.server.db.knex(s.server.db.t('post_appointment')).count('* as n').first()) as { n: string }).n);
    const before = await count();
    const elsewhere = await request(senior(first!.id, { schoolId: otherSchool.id }));
    expect(elsewhere).toMatchObject({ outcome: 'refused', reason: `The teacher is not employed by ${otherSchool.id} on ${today}, so that school has no post to appoint them to.` });
    const malformed = await request(senior(first!.id, { gradeFrom: 9, gradeTo: 2, startsOn: '2026-02-30' }));
    expect(malformed).toMatchObject({ outcome: 'refused', reason: 'The appointment request was incomplete (teacher, school, grades or date); nothing was appointed.' });
    // Without an application id there is no one to answer: acknowledged, nothing written.
    const answers = (await outboxOf(s, 'staffing.title-post-decided')).length;
    await request({ teacherId: first!.id });
    expect((await outboxOf(s, 'staffing.title-post-decided')).length).toBe(answers);
    expect(await count()).toBe(before);
  });
});
