import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { validRegistration } from './harness';

/**
 * Through the gateway, with every subgraph running: a registration reaches the other subgraphs'
 * teacher_scope projections through the outbox relay, so their parts of the archive resolve for
 * the new teacher.
 */
describe('teacher-registry in the federated platform', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('announces a registered teacher to training, staffing-quota and evaluation', async () => {
    const token = await t.token('county_info_admin', '420111');
    const { body } = await t.graphql(
      token,
      `mutation($input: RegisterTeacherInput!) { registerTeacher(input: $input) { teacher { id school { name } } errors { code field } } }`,
      { input: validRegistration() },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.registerTeacher.errors).toEqual([]);
    const teacherId = body.data.registerTeacher.teacher.id;

    const consumers = t.platform.subgraphs.filter((s) => s.name !== 'teacher-registry');
    const delivered = async () => {
      const found = await Promise.all(consumers.map((s) => s.db.knex(s.db.t('teacher_scope')).where('teacher_id', teacherId).first()));
      return found.every(Boolean);
    };
    const deadline = Date.now() + 20_000;
    while (!(await delivered()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await delivered()).toBe(true);
    for (const s of consumers) {
      expect(await s.db.knex(s.db.t('teacher_scope')).where('teacher_id', teacherId).first()).toMatchObject({ org_path: '/CN/420000/420100/420111/1142000101/' });
    }

    // The federated archive now resolves the new teacher in every subgraph, scoped like any other.
    const archive = await t.graphql(token, `query($id: ID!) { teacher(id: $id) { name idDocument { derivedBirthDate } annualAssessments { year } employments { onQuota } } }`, { id: teacherId });
    expect(archive.body.errors).toBeUndefined();
    expect(archive.body.data.teacher).toMatchObject({ name: '测试教师', idDocument: { derivedBirthDate: '1990-03-15' }, annualAssessments: [] });
    const neighbour = await t.graphql(await t.token('county_query', '420115'), `query($id: ID!) { teacher(id: $id) { name } }`, { id: teacherId });
    expect(neighbour.body.data.teacher).toBeNull();
  });
});
