import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import type { RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { completionByOrgIds, completionByOrgIdsLive } from '../../subgraphs/training/src/repositories/credit-bank';
import { listCycles } from '../../subgraphs/training/src/repositories/training';
import { today } from '../../subgraphs/training/src/domain/validation';
import { checkEvents, checkProjections, dbsOf } from '../reliability/invariants';
import { validRegistration } from '../teacher-registry/harness';
import { postGraphQL, startTestPlatform, TEST_INTERNAL_SECRET, type TestPlatform } from '../helpers/platform';

/**
 * A teacher who retires (or leaves, transfers out of the system, or whose draft archive is deleted)
 * leaves the other subgraphs' scope: staffing-quota completes the retirement, the registry marks
 * the archive and announces `teacher.status-changed` through its outbox, and training stops
 * counting the teacher in completion, live and rollup alike. Delivery runs through the real relays.
 */
const data = buildDemoDataset();
const SCHOOL = '1142000101'; // 洪山区 (420111)
const [retiree] = data.teachers.filter((t) => t.schoolId === SCHOOL);
const CONSUMERS = ['training', 'staffing-quota', 'evaluation'];
const national: Viewer = { subject: 'test-national', role: 'national_query', orgId: 'CN', orgPath: '/CN/', scopes: [] };

const REQUEST = `#graphql
  mutation ($input: RequestTransferInput!) { requestTransfer(input: $input) { transfer { id version status } errors { code message field } } }`;
const DECIDE = `#graphql
  mutation ($input: DecideTransferInput!) { decideTransfer(input: $input) { transfer { id version status } errors { code message field } } }`;
const DUE = `#graphql
  query ($dueBy: Date!) { qualificationRegistrationsDue(dueBy: $dueBy, first: 10) { totalCount nodes { teacher { id } } } }`;
const BATCH = `#graphql
  mutation ($dueBy: Date!) { registerDueQualifications(input: { dueBy: $dueBy }) { registeredCount errors { code } } }`;
const REGISTER = `#graphql
  mutation ($input: RegisterTeacherInput!) { registerTeacher(input: $input) { teacher { id version recordStatus } errors { code message field } } }`;
const DELETE = `#graphql
  mutation ($input: DeleteTeacherInput!) { deleteTeacher(input: $input) { deletedTeacherId errors { code message field } } }`;

describe('teacher status changes leave the other subgraphs\' scope', () => {
  let t: TestPlatform;
  const sub = (name: string): RunningSubgraph => t.platform.subgraphs.find((s) => s.name === name)!;
  const scopeOf = async (name: string, teacherId: string) =>
    sub(name).db.knex(sub(name).db.t('teacher_scope')).first('org_path as orgPath', 'status').where('teacher_id', teacherId);

  /** Every relay until nothing is left to deliver (a delivered event may enqueue further events). */
  async function deliverAll() {
    for (let round = 0; round < 10; round += 1) {
      let delivered = 0;
      for (const s of t.platform.subgraphs) delivered += await s.relay.flush();
      if (delivered === 0) return;
    }
    throw new Error('events still flowing after 10 rounds');
  }

  /** The school's completion for the running cycle: [rollup, live], each teacherCount and metCount. */
  async function completion() {
    const db = sub('training').db;
    const [c] = (await listCycles(db)).filter((x) => x.startsOn <= today() && x.endsOn >= today());
    const cycle = { id: c!.id, startsOn: c!.startsOn, endsOn: c!.endsOn, requiredHours: Number(c!.requiredHours) };
    const figures = (rows: { teacherCount: unknown; metCount: unknown; credits: unknown }[]) => ({
      teacherCount: Number(rows[0]!.teacherCount),
      metCount: Number(rows[0]!.metCount),
      credits: Number(rows[0]!.credits),
    });
    const rollup = figures(await completionByOrgIds(db, national, [SCHOOL], cycle, today()));
    const live = figures(await completionByOrgIdsLive(db, national, [SCHOOL], cycle, today()));
    expect(rollup).toEqual(live);
    return live;
  }

  const call = async (role: Parameters<TestPlatform['token']>[0], org: string, query: string, variables: Record<string, unknown>) => {
    const { body } = await t.graphql(await t.token(role, org), query, variables);
    expect(body.errors).toBeUndefined();
    return body.data as any;
  };

  beforeAll(async () => {
    // The timer-driven relays stay idle; the test drives delivery with flush().
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
    await deliverAll();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a retirement completed in staffing-quota reaches training, which counts the school one teacher fewer', async () => {
    const before = await completion();
    expect(before.teacherCount).toBeGreaterThan(1);

    const requested = await call('school_info_admin', SCHOOL, REQUEST, {
      input: { kind: 'RETIRE', teacherId: retiree!.id, fromOrgUnitId: SCHOOL, toOrgUnitId: null, effectiveOn: '2026-12-31' },
    });
    expect(requested.requestTransfer.errors).toEqual([]);
    const transfer = requested.requestTransfer.transfer;
    const released = await call('school_info_admin', SCHOOL, DECIDE, { input: { transferId: transfer.id, step: 'RELEASING_SCHOOL', approve: true, version: transfer.version } });
    expect(released.decideTransfer.errors).toEqual([]);
    const completed = await call('county_info_admin', '420111', DECIDE, {
      input: { transferId: transfer.id, step: 'RELEASING_SUPERIOR', approve: true, version: released.decideTransfer.transfer.version },
    });
    expect(completed.decideTransfer.transfer.status).toBe('COMPLETED');

    await deliverAll();
    const registry = sub('teacher-registry');
    expect(await registry.db.knex(registry.db.t('teacher')).first('status').where('id', retiree!.id)).toEqual({ status: 'retired' });
    for (const name of CONSUMERS) expect(await scopeOf(name, retiree!.id)).toEqual({ orgPath: retiree!.orgPath, status: 'retired' });

    const after = await completion();
    expect(after.teacherCount).toBe(before.teacherCount - 1);

    // The retired teacher's own records stay readable in training (history is kept).
    const query = 'query($id: ID!) { _entities(representations: [{ __typename: "Teacher", id: $id }]) { ... on Teacher { id } } }';
    const viewer: Viewer = { subject: 'x', role: 'county_query', orgId: '420111', orgPath: data.orgUnits.find((o) => o.id === '420111')!.path, scopes: [] };
    const headers = { [INTERNAL_IDENTITY_HEADER]: await signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60) };
    const { body } = await postGraphQL<{ _entities: ({ id: string } | null)[] }>(t.subgraphUrl('training'), headers, query, { id: retiree!.id });
    expect(body.data?._entities).toEqual([{ id: retiree!.id }]);
  });

  it('a replayed status event changes nothing', async () => {
    const registry = sub('teacher-registry');
    const outbox = registry.db.t('outbox');
    const [event] = await registry.db.knex(outbox).distinct('event_id').where('type', 'teacher.status-changed');
    expect(event).toBeDefined();
    const before = await completion();
    const inboxBefore = await sub('training').db.knex(sub('training').db.t('inbox')).count('* as n').first();

    // A relay that died after sending but before marking sends it again to every consumer.
    await registry.db.knex(outbox).where('event_id', event.event_id).update({ delivered_at: null, next_attempt_at: registry.db.knex.fn.now() });
    expect(await registry.relay.flush()).toBe(CONSUMERS.length);
    for (const name of CONSUMERS) expect(await scopeOf(name, retiree!.id)).toMatchObject({ status: 'retired' });
    expect(await sub('training').db.knex(sub('training').db.t('inbox')).count('* as n').first()).toEqual(inboxBefore);
    expect(await completion()).toEqual(before);
  });

  it('evaluation leaves the retired teacher out of the registrations due and the batch registration', async () => {
    const evaluation = sub('evaluation');
    const colleague = data.teachers.filter((x) => x.schoolId === SCHOOL)[2]!;
    // Filed registrations of a cycle long past, so nothing else in the demo data is due by its deadline.
    const rows = [retiree!, colleague].map((x) => ({ teacher_id: x.id, cycle_starts_on: '2001-01-01', deadline: '2005-12-31', stage: 'filed', filed_on: '2005-06-01' }));
    await evaluation.db.knex(evaluation.db.t('qualification_registration')).insert(rows);
    const due = await call('county_info_admin', '420111', DUE, { dueBy: '2005-12-31' });
    expect(due.qualificationRegistrationsDue.totalCount).toBe(1);
    expect(due.qualificationRegistrationsDue.nodes).toEqual([{ teacher: { id: colleague.id } }]);
    const batch = await call('county_info_admin', '420111', BATCH, { dueBy: '2005-12-31' });
    expect(batch.registerDueQualifications.registeredCount).toBe(1);
    const stages = await evaluation.db.knex(evaluation.db.t('qualification_registration')).select('teacher_id as teacherId', 'stage').where('cycle_starts_on', '2001-01-01').orderBy('stage');
    expect(stages).toEqual([
      { teacherId: retiree!.id, stage: 'filed' },
      { teacherId: colleague.id, stage: 'registered' },
    ]);
  });

  it('deleting a draft archive removes the teacher from training\'s scope and counts', async () => {
    const before = await completion();
    // A newly registered archive is a draft until the county approves it; its registration is announced.
    const registered = await call('school_info_admin', SCHOOL, REGISTER, { input: validRegistration({ schoolId: SCHOOL }) });
    expect(registered.registerTeacher.errors).toEqual([]);
    const draft = registered.registerTeacher.teacher as { id: string; version: number; recordStatus: string };
    expect(draft.recordStatus).toBe('DRAFT');
    await deliverAll();
    const school = data.orgUnits.find((o) => o.id === SCHOOL)!;
    expect(await scopeOf('training', draft.id)).toEqual({ orgPath: school.path, status: 'active' });
    expect((await completion()).teacherCount).toBe(before.teacherCount + 1);

    const deleted = await call('school_info_admin', SCHOOL, DELETE, { input: { id: draft.id, version: draft.version } });
    expect(deleted.deleteTeacher).toEqual({ deletedTeacherId: draft.id, errors: [] });
    await deliverAll();

    for (const name of CONSUMERS) expect(await scopeOf(name, draft.id)).toEqual({ orgPath: school.path, status: 'deleted' });
    expect(await completion()).toEqual(before);

    // Training no longer resolves the teacher for anyone.
    const query = 'query($id: ID!) { _entities(representations: [{ __typename: "Teacher", id: $id }]) { ... on Teacher { id } } }';
    const headers = { [INTERNAL_IDENTITY_HEADER]: await signInternalIdentity(national, TEST_INTERNAL_SECRET, 60) };
    const { body } = await postGraphQL<{ _entities: ({ id: string } | null)[] }>(t.subgraphUrl('training'), headers, query, { id: draft.id });
    expect(body.data?._entities).toEqual([null]);
  });

  it('leaves every projection equal to the registry, status included, with every event applied once', async () => {
    await deliverAll();
    const dbs = dbsOf(t.platform.subgraphs);
    expect(await checkEvents(dbs, { requireDrained: true })).toEqual([]);
    expect(await checkProjections(dbs)).toEqual([]);
  });
});
