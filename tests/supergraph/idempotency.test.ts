import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { loadGatewayConfig } from '../../gateway/src/config';
import { createGateway } from '../../gateway/src/server';
import { uniqueSuffix } from '../helpers/database';
import { startTestPlatform, testEnv, type TestPlatform } from '../helpers/platform';
import { checkInvariants, dbsOf, settleEvents } from '../reliability/invariants';

const teacher = buildDemoDataset().teachers.find((t) => t.orgPath.includes('/420111/'))!;
const REVEAL = 'mutation Reveal($input: RevealPersonalDetailsInput!) { revealPersonalDetails(input: $input) { identificationDocuments { number } errors { code } } }';

/** Idempotency-Key at the gateway: a replayed mutation returns the first answer and writes nothing. */
describe('idempotency keys on mutations', () => {
  let t: TestPlatform;
  let token: string;
  const registry = () => t.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
  const auditRows = async () => Number((await registry().knex(registry().t('audit_log')).count('* as n'))[0]!.n);
  const send = async (body: unknown, key?: string, bearer = token) => {
    const response = await fetch(t.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    token = await t.token('county_info_admin', '420111');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('returns the first answer to a replay and does not write again', async () => {
    const request = { query: REVEAL, variables: { input: { teacherId: teacher.id, reason: 'idempotency check one' } } };
    const before = await auditRows();
    const first = await send(request, 'reveal-key-0001');
    expect(first.body.data.revealPersonalDetails.errors).toEqual([]);
    const replay = await send(request, 'reveal-key-0001');
    expect(replay.status).toBe(200);
    expect(replay.replayed).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await auditRows()).toBe(before + 1);
  });

  it('refuses the same key with a different payload and stores nothing', async () => {
    const before = await auditRows();
    const other = await send({ query: REVEAL, variables: { input: { teacherId: teacher.id, reason: 'a different reason' } } }, 'reveal-key-0001');
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await auditRows()).toBe(before);
  });

  it('keeps keys per account, ignores them on queries, and rejects malformed keys', async () => {
    const request = { query: REVEAL, variables: { input: { teacherId: teacher.id, reason: 'idempotency check one' } } };
    const otherAccount = await t.token('county_info_admin', '420111', { sub: 'another-admin' });
    const before = await auditRows();
    expect((await send(request, 'reveal-key-0001', otherAccount)).replayed).toBeNull();
    expect(await auditRows()).toBe(before + 1);
    const query = await send({ query: '{ viewer { role } }' }, 'query-key-0001');
    expect(query.replayed).toBeNull();
    expect((await send({ query: '{ viewer { role } }' }, 'query-key-0001')).replayed).toBeNull();
    const bad = await send(request, 'short');
    expect(bad.status).toBe(400);
    expect(await auditRows()).toBe(before + 1);
  });

  it('leaves data that reconciles (tests/reliability/invariants.ts)', async () => {
    await settleEvents(t.platform.subgraphs);
    expect(await checkInvariants(dbsOf(t.platform.subgraphs), { requireDrained: true })).toEqual([]);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
(redisUrl ? describe : describe.skip)('idempotency keys shared through Redis', () => {
  it('a replay sent to another gateway instance gets the first answer', async () => {
    const t = await startTestPlatform({ REDIS_URL: redisUrl as string });
    const second = await createGateway(
      loadGatewayConfig({ ...testEnv(uniqueSuffix(), { REDIS_URL: redisUrl as string, PORT: '0' }), SUBGRAPH_URLS: t.platform.subgraphs.map((s) => `${s.name}=${s.url}`).join(',') }),
    );
    try {
      const token = await t.token('county_info_admin', '420111');
      const key = `redis-${uniqueSuffix()}-key`;
      const body = JSON.stringify({ query: REVEAL, variables: { input: { teacherId: teacher.id, reason: 'shared idempotency check' } } });
      const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key }, body });
      const first = await post(t.gatewayUrl);
      const replay = await post(second.url);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(await first.json());
    } finally {
      await second.stop();
      await t.stop();
    }
  });
});
