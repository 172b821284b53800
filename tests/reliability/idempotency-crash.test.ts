import { createHash } from 'node:crypto';
import { loadGatewayConfig } from '../../gateway/src/config';
import { createGateway, type RunningGateway } from '../../gateway/src/server';
import { uniqueSuffix } from '../helpers/database';
import { startTestPlatform, testEnv, type TestPlatform } from '../helpers/platform';
import { checkInvariants, dbsOf, settleEvents } from './invariants';
import { purgeIdempotencyRecords } from '../../subgraphs/shared/src/idempotency-record';
import { newRegistration, REGISTER_TEACHER } from './support';

const ADD_CONTACT = 'mutation($input: AddContactInput!) { addContact(input: $input) { errors { code message } } }';

/**
 * The gateway stores a mutation's answer under its Idempotency-Key only after the subgraph has
 * committed. A gateway that dies in between (or restarts without Redis) has forgotten the key;
 * the replay must still not write twice, because the subgraph recorded the key in the write's own
 * transaction. A second gateway with an empty store plays the restarted one.
 */
describe('idempotency key after a gateway crash', () => {
  let t: TestPlatform;
  let restarted: RunningGateway;
  let token: string;
  let teacherId: string;
  const registry = () => t.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
  const contacts = async () => Number((await registry().knex(registry().t('teacher_contact')).where('teacher_id', teacherId).count('* as n'))[0]!.n);
  const send = async (url: string, key: string | null, mobile = '13812345678') => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ query: ADD_CONTACT, variables: { input: { teacherId, mobile, validFrom: '2026-01-01' } } }),
    });
    return (await response.json()) as { data?: { addContact: { errors: { code: string }[] } }; errors?: unknown[] };
  };

  beforeAll(async () => {
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
    restarted = await createGateway(
      loadGatewayConfig({ ...testEnv(uniqueSuffix(), { PORT: '0' }), SUBGRAPH_URLS: t.platform.subgraphs.map((s) => `${s.name}=${s.url}`).join(',') }),
    );
    token = await t.token('school_info_admin', '1142000101');
    const registered = await t.graphql(token, REGISTER_TEACHER, { input: newRegistration('幂等测试') });
    teacherId = registered.body.data.registerTeacher.teacher.id;
  }, 180000);
  afterAll(async () => {
    await restarted?.stop();
    await t?.stop();
  });

  it('a replay through a gateway that lost the key is refused by the subgraph and writes nothing', async () => {
    const key = `crash-${uniqueSuffix()}`;
    const first = await send(t.gatewayUrl, key);
    expect(first.data?.addContact.errors).toEqual([]);
    expect(await contacts()).toBe(1);
    // The subgraph recorded a digest of account and key with the write.
    const digest = createHash('sha256').update(`test-school_info_admin-1142000101:${key}`).digest('hex');
    expect(await registry().knex(registry().t('idempotency_record')).where('key', digest).count('* as n')).toEqual([{ n: 1 }]);

    const replay = await send(restarted.url, key);
    expect(replay.errors).toBeUndefined();
    expect(replay.data?.addContact.errors).toEqual([expect.objectContaining({ code: 'DUPLICATE' })]);
    expect(await contacts()).toBe(1);
  });

  it('another key, or no key, writes as usual', async () => {
    expect((await send(restarted.url, `other-${uniqueSuffix()}`, '13912345678')).data?.addContact.errors).toEqual([]);
    expect((await send(restarted.url, null, '13712345678')).data?.addContact.errors).toEqual([]);
    expect(await contacts()).toBe(3);
  });

  it('a write refused for its input leaves the key free for the corrected retry', async () => {
    const key = `refused-${uniqueSuffix()}`;
    const refused = await send(t.gatewayUrl, key, '12345');
    expect(refused.data?.addContact.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT' })]);
    expect(await registry().knex(registry().t('idempotency_record')).where('key', createHash('sha256').update(`test-school_info_admin-1142000101:${key}`).digest('hex')).count('* as n')).toEqual([{ n: 0 }]);
  });

  it('purges records older than a week and keeps the recent ones', async () => {
    const table = registry().t('idempotency_record');
    await registry().knex(table).insert([
      { key: 'a'.repeat(64), seq: 1, created_at: registry().knex.raw(`now() - interval '8 days'`) },
      { key: 'b'.repeat(64), seq: 1, created_at: registry().knex.raw(`now() - interval '6 days'`) },
    ]);
    const before = Number((await registry().knex(table).count('* as n'))[0]!.n);
    expect(await purgeIdempotencyRecords(registry().knex, table)).toBe(1);
    expect(await registry().knex(table).where('key', 'a'.repeat(64)).first()).toBeUndefined();
    expect(Number((await registry().knex(table).count('* as n'))[0]!.n)).toBe(before - 1);
  });

  it('leaves data that reconciles', async () => {
    await settleEvents(t.platform.subgraphs);
    expect(await checkInvariants(dbsOf(t.platform.subgraphs), { requireDrained: true })).toEqual([]);
  });
});
