import { randomUUID } from 'node:crypto';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { staffingQuota } from '../../subgraphs/staffing-quota/src/index';
import { outboxOf, startStaffing, type StaffingService } from './staffing-service';

const data = buildDemoDataset();
const FROM = '1142000101'; // 洪山区 (420111)
const TO = '1142000201'; // 江夏区 (420115)
const RURAL = '1142000202'; // 江夏区
const [mover, refused, retiree, other] = data.teachers.filter((t) => t.schoolId === FROM);
const onQuotaAt = (school: string) => data.employments.filter((e) => e.orgId === school && e.onQuota).length;

const REQUEST = `#graphql
  mutation ($input: RequestTransferInput!) {
    requestTransfer(input: $input) {
      transfer { id kind teacherId fromUnit { id } toUnit { id } onQuota effectiveOn status requiredSteps version approvals { step approved decidedBy } }
      errors { code message field }
    }
  }`;
const DECIDE = `#graphql
  mutation ($input: DecideTransferInput!) {
    decideTransfer(input: $input) { transfer { id status version approvals { step approved } } errors { code message field } }
  }`;
const SET_QUOTA = `#graphql
  mutation ($input: SetApprovedQuotaInput!) { setApprovedQuota(input: $input) { errors { code } } }`;

describe('transfers', () => {
  let s: StaffingService;
  const admin = (role: 'school_info_admin' | 'county_info_admin' | 'city_info_admin', org: string) => s.viewer(role, org);
  const setQuota = async (approved: number) => {
    const body = await s.call(admin('city_info_admin', '420100'), SET_QUOTA, { input: { orgUnitId: TO, year: 2026, approved } });
    expect(body.data.setApprovedQuota.errors).toEqual([]);
  };
  const transferCount = () => s.server.db.knex(s.server.db.t('transfer')).count('* as n').first().then((r) => Number(r?.n));
  const request = (input: Record<string, unknown>, viewer = admin('school_info_admin', FROM)) =>
    s.call(viewer, REQUEST, { input: { kind: 'TRANSFER_WITHIN_PROVINCE', teacherId: mover!.id, fromOrgUnitId: FROM, toOrgUnitId: TO, effectiveOn: '2026-12-01', ...input } });
  const decide = (viewer: ReturnType<typeof admin>, transferId: string, step: string, version: number, approve = true) =>
    s.call(viewer, DECIDE, { input: { transferId, step, approve, version } });

  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses a transfer that would exceed the receiving unit\'s approved quota, storing nothing', async () => {
    await setQuota(onQuotaAt(TO));
    const body = await request({});
    expect(body.data.requestTransfer.transfer).toBeNull();
    expect(body.data.requestTransfer.errors).toEqual([
      {
        code: 'RULE_VIOLATION',
        field: ['input', 'toOrgUnitId'],
        message: `Receiving unit ${TO} would exceed its approved quota: ${onQuotaAt(TO)} approved, ${onQuotaAt(TO)} on-quota staff in post on 2026-12-01.`,
      },
    ]);
    expect(await transferCount()).toBe(0);
  });

  it('runs the four approvals, re-checks the quota at the end, moves the employment and tells the registry', async () => {
    await setQuota(onQuotaAt(TO) + 1);
    const requested = await request({ reason: '夫妻团聚' });
    expect(requested.data.requestTransfer.errors).toEqual([]);
    const transfer = requested.data.requestTransfer.transfer;
    expect(transfer).toMatchObject({
      kind: 'TRANSFER_WITHIN_PROVINCE',
      teacherId: mover!.id,
      fromUnit: { id: FROM },
      toUnit: { id: TO },
      onQuota: true,
      status: 'PENDING',
      requiredSteps: ['RELEASING_SCHOOL', 'RELEASING_SUPERIOR', 'RECEIVING_SCHOOL', 'RECEIVING_SUPERIOR'],
      version: 1,
      approvals: [],
    });

    // The receiving county may read the transfer but cannot decide for the releasing school.
    const wrong = await decide(admin('county_info_admin', '420115'), transfer.id, 'RELEASING_SCHOOL', 1);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    expect((await decide(admin('school_info_admin', FROM), transfer.id, 'RELEASING_SCHOOL', 1)).data.decideTransfer.transfer).toMatchObject({ status: 'PENDING', version: 2 });
    const stale = await decide(admin('county_info_admin', '420111'), transfer.id, 'RELEASING_SUPERIOR', 1);
    expect(stale.data.decideTransfer.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    expect((await decide(admin('county_info_admin', '420111'), transfer.id, 'RELEASING_SUPERIOR', 2)).data.decideTransfer.transfer.version).toBe(3);
    const twice = await decide(admin('county_info_admin', '420111'), transfer.id, 'RELEASING_SUPERIOR', 3);
    expect(twice.data.decideTransfer.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'step'] })]);
    expect((await decide(admin('school_info_admin', TO), transfer.id, 'RECEIVING_SCHOOL', 3)).data.decideTransfer.transfer.version).toBe(4);

    // Someone filled the last place meanwhile: the final approval is refused and not recorded.
    await setQuota(onQuotaAt(TO));
    const full = await decide(admin('county_info_admin', '420115'), transfer.id, 'RECEIVING_SUPERIOR', 4);
    expect(full.data.decideTransfer).toMatchObject({ transfer: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'toOrgUnitId'] }] });
    expect(await s.server.db.knex(s.server.db.t('transfer_approval')).where('transfer_id', transfer.id).count('* as n').first().then((r) => Number(r?.n))).toBe(3);
    expect(await outboxOf(s, 'staffing.transfer-completed')).toEqual([]);

    await setQuota(onQuotaAt(TO) + 1);
    const done = await decide(admin('county_info_admin', '420115'), transfer.id, 'RECEIVING_SUPERIOR', 4);
    expect(done.data.decideTransfer).toMatchObject({ errors: [], transfer: { status: 'COMPLETED', version: 5 } });
    expect(done.data.decideTransfer.transfer.approvals).toHaveLength(4);

    const employments = await s.server.db.knex(s.server.db.t('employment')).where('teacher_id', mover!.id).orderBy('starts_on');
    expect(employments.map((e: any) => [e.org_id, e.on_quota, e.starts_on, e.ends_on])).toEqual([
      [FROM, true, mover!.startedWorkOn, '2026-11-30'],
      [TO, true, '2026-12-01', null],
    ]);
    const openAppointments = await s.server.db.knex(s.server.db.t('post_appointment')).where({ teacher_id: mover!.id, org_id: FROM }).whereNull('ends_on');
    expect(openAppointments).toEqual([]);

    const events = await outboxOf(s, 'staffing.transfer-completed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      consumer: 'teacher-registry',
      payload: { transferId: transfer.id, teacherId: mover!.id, kind: 'transfer_within_province', fromOrgId: FROM, toOrgId: TO, effectiveOn: '2026-12-01' },
    });
    const after = await decide(admin('county_info_admin', '420115'), transfer.id, 'RECEIVING_SUPERIOR', 5);
    expect(after.data.decideTransfer.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
  });

  it('ends a retirement with the releasing side only; a refusal changes nothing', async () => {
    const school = admin('school_info_admin', FROM);
    const county = admin('county_info_admin', '420111');
    const rejected = (await request({ kind: 'RETIRE', teacherId: refused!.id, toOrgUnitId: null }, school)).data.requestTransfer.transfer;
    expect(rejected.requiredSteps).toEqual(['RELEASING_SCHOOL', 'RELEASING_SUPERIOR']);
    await decide(school, rejected.id, 'RELEASING_SCHOOL', 1);
    expect((await decide(county, rejected.id, 'RELEASING_SUPERIOR', 2, false)).data.decideTransfer.transfer.status).toBe('REJECTED');
    expect(await s.server.db.knex(s.server.db.t('employment')).where('teacher_id', refused!.id).whereNull('ends_on').count('* as n').first().then((r) => Number(r?.n))).toBe(1);

    const retiring = (await request({ kind: 'RETIRE', teacherId: retiree!.id, toOrgUnitId: null, effectiveOn: '2026-12-31' }, school)).data.requestTransfer.transfer;
    await decide(school, retiring.id, 'RELEASING_SCHOOL', 1);
    expect((await decide(county, retiring.id, 'RELEASING_SUPERIOR', 2)).data.decideTransfer.transfer.status).toBe('COMPLETED');
    const employment = await s.server.db.knex(s.server.db.t('employment')).where('teacher_id', retiree!.id).first();
    expect(employment.ends_on).toBe('2026-12-30');
    const events = await outboxOf(s, 'staffing.transfer-completed');
    expect(events.map((e: any) => e.payload.kind)).toEqual(['transfer_within_province', 'retire']);
    expect(events[1].payload).toMatchObject({ teacherId: retiree!.id, fromOrgId: FROM, toOrgId: null });
  });

  it('hires a teacher the registry announced, off quota when the quota is full', async () => {
    const teacherId = randomUUID();
    const school = data.orgUnits.find((o) => o.id === RURAL)!;
    await applyEvent(
      s.server.db,
      staffingQuota.eventHandlers!,
      { id: randomUUID(), type: 'teacher.registered', source: 'teacher-registry', occurredAt: new Date().toISOString(), payload: { teacherId, schoolId: RURAL, orgPath: school.path, birthDate: '1998-04-02', gender: 2 } },
      createLogger('test', 'silent'),
    );
    expect(await s.server.db.knex(s.server.db.t('teacher_profile')).where('teacher_id', teacherId).first()).toMatchObject({ birth_date: '1998-04-02', gender: 2 });

    const county = admin('county_info_admin', '420115');
    const hire = { kind: 'NEW_HIRE', teacherId, fromOrgUnitId: null, toOrgUnitId: RURAL, effectiveOn: '2026-12-01' };
    const onQuota = await request(hire, county);
    expect(onQuota.data.requestTransfer.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', field: ['input', 'toOrgUnitId'] })]);
    const offQuota = (await request({ ...hire, onQuota: false }, county)).data.requestTransfer.transfer;
    expect(offQuota.requiredSteps).toEqual(['RECEIVING_SCHOOL', 'RECEIVING_SUPERIOR']);
    await decide(admin('school_info_admin', RURAL), offQuota.id, 'RECEIVING_SCHOOL', 1);
    expect((await decide(county, offQuota.id, 'RECEIVING_SUPERIOR', 2)).data.decideTransfer.transfer.status).toBe('COMPLETED');
    expect(await s.server.db.knex(s.server.db.t('employment')).where('teacher_id', teacherId).first()).toMatchObject({ org_id: RURAL, on_quota: false, starts_on: '2026-12-01' });
  });

  it('moves a teacher to another province: the receiving province administrators see and approve it', async () => {
    const BEIJING = '1111000101'; // 北京市朝阳区实验小学
    const teacher = data.teachers.filter((t) => t.schoolId === FROM)[6]!;
    const beijingQuota = data.staffingQuotas.find((q) => q.orgId === BEIJING && q.year === 2026)!.approved;
    // Beijing's city-level administration makes room for one more (the demo quota may be full).
    await s.call(s.viewer('city_info_admin', '110100'), SET_QUOTA, { input: { orgUnitId: BEIJING, year: 2026, approved: Math.max(beijingQuota, onQuotaAt(BEIJING) + 1) } });
    const requested = await request({ kind: 'TRANSFER_ACROSS_PROVINCES', teacherId: teacher.id, toOrgUnitId: BEIJING, effectiveOn: '2026-12-15' });
    expect(requested.data.requestTransfer.errors).toEqual([]);
    const id = requested.data.requestTransfer.transfer.id;
    const seen = await s.call(s.viewer('county_query', '110105'), `query ($id: ID!) { transfer(id: $id) { id kind fromUnit { id } toUnit { id } } }`, { id });
    expect(seen.data.transfer).toEqual({ id, kind: 'TRANSFER_ACROSS_PROVINCES', fromUnit: { id: FROM }, toUnit: { id: BEIJING } });
    const steps: [ReturnType<typeof admin>, string][] = [
      [admin('school_info_admin', FROM), 'RELEASING_SCHOOL'],
      [s.viewer('province_info_admin', '420000'), 'RELEASING_SUPERIOR'],
      [admin('school_info_admin', BEIJING), 'RECEIVING_SCHOOL'],
      [admin('county_info_admin', '110105'), 'RECEIVING_SUPERIOR'],
    ];
    let version = 1;
    for (const [viewer, step] of steps) {
      const body = await decide(viewer, id, step, version);
      expect(body.data.decideTransfer.errors).toEqual([]);
      version = body.data.decideTransfer.transfer.version;
    }
    expect((await outboxOf(s, 'staffing.transfer-completed')).map((e: any) => e.payload.toOrgId)).toContain(BEIJING);
  });

  it('answers bad requests with the field at fault and stores nothing', async () => {
    const count = await transferCount();
    const cases: [Record<string, unknown>, { code: string; field: string[] }][] = [
      [{ kind: 'NEW_HIRE' }, { code: 'INVALID_INPUT', field: ['input', 'fromOrgUnitId'] }],
      [{ kind: 'LEAVE' }, { code: 'INVALID_INPUT', field: ['input', 'toOrgUnitId'] }],
      [{ toOrgUnitId: FROM }, { code: 'INVALID_INPUT', field: ['input', 'toOrgUnitId'] }],
      [{ teacherId: other!.id, toOrgUnitId: '1162000101' }, { code: 'INVALID_INPUT', field: ['input', 'kind'] }],
      [{ teacherId: other!.id, kind: 'TRANSFER_ACROSS_PROVINCES' }, { code: 'INVALID_INPUT', field: ['input', 'kind'] }],
      [{ teacherId: other!.id, toOrgUnitId: '1142009999' }, { code: 'NOT_FOUND', field: ['input', 'toOrgUnitId'] }],
      [{ teacherId: other!.id, toOrgUnitId: '420115' }, { code: 'INVALID_INPUT', field: ['input', 'toOrgUnitId'] }],
      [{ teacherId: other!.id, fromOrgUnitId: '1142000102' }, { code: 'NOT_FOUND', field: ['input', 'fromOrgUnitId'] }],
      [{ teacherId: mover!.id, fromOrgUnitId: FROM, effectiveOn: '2027-01-01' }, { code: 'RULE_VIOLATION', field: ['input', 'fromOrgUnitId'] }],
      [{ teacherId: data.teachers.find((t) => t.schoolId === TO)!.id }, { code: 'NOT_FOUND', field: ['input', 'teacherId'] }],
      [{ teacherId: 'x' }, { code: 'INVALID_INPUT', field: ['input', 'teacherId'] }],
    ];
    for (const [input, expected] of cases) {
      const body = await request(input);
      expect(body.data.requestTransfer.transfer).toBeNull();
      expect(body.data.requestTransfer.errors).toContainEqual(expect.objectContaining(expected));
    }
    const bad = await s.call(admin('school_info_admin', FROM), REQUEST, { input: { kind: 'LEAVE', teacherId: other!.id, fromOrgUnitId: FROM, effectiveOn: '2026-02-30' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await transferCount()).toBe(count);
  });

  it('lists transfers to both sides in SQL scope, never to a third county', async () => {
    const LIST = `#graphql
      query ($after: String) { transfers(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id status } } }`;
    const receiving = await s.call(s.viewer('county_query', '420115'), LIST);
    expect(receiving.data.transfers.totalCount).toBe(2); // the within-province transfer and the new hire
    expect(receiving.data.transfers.pageInfo.hasNextPage).toBe(true);
    const next = await s.call(s.viewer('county_query', '420115'), LIST, { after: receiving.data.transfers.pageInfo.endCursor });
    expect(next.data.transfers.nodes[0].id).not.toBe(receiving.data.transfers.nodes[0].id);
    expect(next.data.transfers.pageInfo.hasNextPage).toBe(false);
    expect((await s.call(s.viewer('county_query', '420111'), LIST)).data.transfers.totalCount).toBe(4);
    expect((await s.call(s.viewer('county_query', '110105'), LIST)).data.transfers.totalCount).toBe(1); // the move to Beijing
    expect((await s.call(s.viewer('county_query', '621121'), LIST)).data.transfers.totalCount).toBe(0);
    const forged = await s.call(s.viewer('county_query', '420115'), LIST, { after: Buffer.from('k:yesterday|1').toString('base64url') });
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const analyst = await s.call(s.viewer('analyst', 'CN'), LIST);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
