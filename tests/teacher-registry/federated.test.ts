import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
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

  it('applies a transfer completed in staffing-quota to the archive and moves the teacher between counties', async () => {
    const mover = buildDemoDataset().teachers.filter((t) => t.schoolId === '1142000102')[5]!;
    const request = await t.graphql(
      await t.token('school_info_admin', '1142000102'),
      `mutation($input: RequestTransferInput!) { requestTransfer(input: $input) { transfer { id version requiredSteps } errors { code message } } }`,
      { input: { kind: 'TRANSFER_WITHIN_PROVINCE', teacherId: mover.id, fromOrgUnitId: '1142000102', toOrgUnitId: '1142000201', onQuota: false, effectiveOn: '2026-11-01' } },
    );
    expect(request.body.data.requestTransfer.errors).toEqual([]);
    let transfer = request.body.data.requestTransfer.transfer;
    const deciders: Record<string, [string, string]> = {
      RELEASING_SCHOOL: ['school_info_admin', '1142000102'],
      RELEASING_SUPERIOR: ['county_info_admin', '420111'],
      RECEIVING_SCHOOL: ['school_info_admin', '1142000201'],
      RECEIVING_SUPERIOR: ['county_info_admin', '420115'],
    };
    for (const step of transfer.requiredSteps as string[]) {
      const [role, org] = deciders[step]!;
      const decided = await t.graphql(
        await t.token(role as 'school_info_admin', org),
        `mutation($input: DecideTransferInput!) { decideTransfer(input: $input) { transfer { id version status } errors { code message } } }`,
        { input: { transferId: transfer.id, step, approve: true, version: transfer.version } },
      );
      expect(decided.body.data.decideTransfer.errors).toEqual([]);
      transfer = decided.body.data.decideTransfer.transfer;
    }
    const jiangxia = await t.token('county_info_admin', '420115');
    const read = async () => (await t.graphql(jiangxia, `query($id: ID!) { teacher(id: $id) { school { id } workHistory { organisation { id } startsOn provenance { sourceSystem } } } }`, { id: mover.id })).body.data?.teacher;
    const deadline = Date.now() + 20_000;
    while (!(await read()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const moved = await read();
    expect(moved.school).toEqual({ id: '1142000201' });
    expect(moved.workHistory.at(-1)).toEqual({ organisation: { id: '1142000201' }, startsOn: '2026-11-01', provenance: { sourceSystem: 'staffing-quota' } });
    const hongshan = await t.graphql(await t.token('county_info_admin', '420111'), `query($id: ID!) { teacher(id: $id) { id } }`, { id: mover.id });
    expect(hongshan.body.data.teacher).toBeNull();

    // teacher.affiliation-changed moves the teacher in the other subgraphs' scope projections too.
    const training = t.platform.subgraphs.find((s) => s.name === 'training')!;
    const projected = async () => (await training.db.knex(training.db.t('teacher_scope')).where('teacher_id', mover.id).first())?.org_path;
    while ((await projected()) !== '/CN/420000/420100/420115/1142000201/' && Date.now() < deadline + 20_000) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await projected()).toBe('/CN/420000/420100/420115/1142000201/');
  });
});
