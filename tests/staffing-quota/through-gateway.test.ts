import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const data = buildDemoDataset();
const FROM = '1142000101';
const TO = '1142000201';
const mover = data.teachers.filter((t) => t.schoolId === FROM)[5]!;

const REQUEST = `#graphql
  mutation ($input: RequestTransferInput!) { requestTransfer(input: $input) { transfer { id version } errors { code message } } }`;
const DECIDE = `#graphql
  mutation ($input: DecideTransferInput!) { decideTransfer(input: $input) { transfer { status version } errors { code message } } }`;
const ARCHIVE = `#graphql
  query ($id: ID!) { teacher(id: $id) { id name school { id staffingQuota(year: 2026) { approved occupied standard } } employments { employer { id } startsOn endsOn } } }`;

describe('a transfer through the gateway, completed in the registry by the event', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    // Relays stay idle; the test drives delivery with flush() so the 'before' state is observable.
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await t?.stop();
  });
  const subgraph = (name: string) => t.platform.subgraphs.find((s) => s.name === name)!;

  it('moves the affiliation in the registry without re-entry, and the receiving county then sees the teacher', async () => {
    const requested = await t.graphql(await t.token('school_info_admin', FROM), REQUEST, {
      input: { kind: 'TRANSFER_WITHIN_PROVINCE', teacherId: mover.id, fromOrgUnitId: FROM, toOrgUnitId: TO, effectiveOn: '2026-12-01' },
    });
    expect(requested.body.errors).toBeUndefined();
    const { id } = requested.body.data.requestTransfer.transfer;
    const steps: [Parameters<TestPlatform['token']>[0], string, string][] = [
      ['school_info_admin', FROM, 'RELEASING_SCHOOL'],
      ['county_info_admin', '420111', 'RELEASING_SUPERIOR'],
      ['school_info_admin', TO, 'RECEIVING_SCHOOL'],
      ['county_info_admin', '420115', 'RECEIVING_SUPERIOR'],
    ];
    let version = 1;
    for (const [role, org, step] of steps) {
      const body = (await t.graphql(await t.token(role, org), DECIDE, { input: { transferId: id, step, approve: true, version } })).body;
      expect(body.data.decideTransfer.errors).toEqual([]);
      version = body.data.decideTransfer.transfer.version;
    }

    // Before delivery the receiving county does not see the teacher yet: the registry owns the affiliation.
    const receiving = await t.token('county_info_admin', '420115');
    expect((await t.graphql(receiving, ARCHIVE, { id: mover.id })).body.data.teacher).toBeNull();

    // The outbox delivers to the registry, which changes the affiliation and announces it back.
    expect(await subgraph('staffing-quota').relay.flush()).toBeGreaterThanOrEqual(1);
    await subgraph('teacher-registry').relay.flush();

    const archive = (await t.graphql(receiving, ARCHIVE, { id: mover.id })).body;
    expect(archive.errors).toBeUndefined();
    expect(archive.data.teacher.school.id).toBe(TO);
    expect(archive.data.teacher.employments.map((e: { employer: { id: string } }) => e.employer.id)).toEqual([TO, FROM]);
    // The releasing county no longer sees the teacher.
    expect((await t.graphql(await t.token('county_info_admin', '420111'), ARCHIVE, { id: mover.id })).body.data.teacher).toBeNull();
  });
});
