import { loadGatewayConfig } from '../../gateway/src/config';
import { createGateway } from '../../gateway/src/server';
import { uniqueSuffix } from '../helpers/database';
import { startTestPlatform, testEnv, tokenFor, type TestPlatform } from '../helpers/platform';

/** Abuse limits at the gateway (OWASP GraphQL cheat sheet, graphql-cop probes). */
describe('gateway abuse limits', () => {
  let t: TestPlatform;
  let token: string;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(t.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await startTestPlatform({ NODE_ENV: 'production', RATE_LIMIT_USER_PER_MINUTE: '1000', RATE_LIMIT_CLIENT_PER_MINUTE: '5', MAX_BODY_BYTES: '20000' });
    token = await t.token('county_query', '420111');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const rejected = async (query: string) => {
    const { status, body } = await t.graphql(token, query);
    expect(body.data ?? null).toBeNull();
    expect(status).toBeGreaterThanOrEqual(400);
    return body.errors?.[0]?.message ?? '';
  };

  it('rejects deep recursion', async () => {
    let selection = 'id';
    for (let i = 0; i < 12; i += 1) selection = `parent { ${selection} }`;
    expect(await rejected(`{ orgUnit(id: "420111") { ${selection} } }`)).toMatch(/depth/i);
  });

  it('rejects alias overloading', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ');
    expect(await rejected(`{ ${aliases} }`)).toMatch(/alias/i);
  });

  it('rejects directive overloading', async () => {
    expect(await rejected(`{ viewer { role ${'@include(if: true) '.repeat(11)} } }`)).toMatch(/directive/i);
  });

  it('rejects token floods and over-cost operations', async () => {
    expect(await rejected(`{ viewer { ${'role '.repeat(2100)} } }`)).toMatch(/token/i);
    const wide = Array.from({ length: 14 }, (_, i) => `c${i}: children { children { children { teachers(first: 100) { nodes { id name } } } } }`).join(' ');
    expect(await rejected(`{ orgUnit(id: "CN") { ${wide} } }`)).toMatch(/cost|alias/i);
  });

  it('rejects batched requests', async () => {
    const response = await post([{ query: '{ viewer { role } }' }, { query: '{ viewer { role } }' }]);
    expect(response.status).toBe(400);
  });

  it('rejects oversized bodies with 413', async () => {
    const response = await post({ query: `{ viewer { role } } # ${'x'.repeat(30000)}` });
    expect(response.status).toBe(413);
  });

  it('blocks GET requests without a CSRF-safe header (CSRF prevention)', async () => {
    const url = `${t.gatewayUrl}?query=${encodeURIComponent('{ viewer { role } }')}`;
    const simple = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(simple.status).toBe(400);
    const preflighted = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
  });

  it('in production: no introspection and no field suggestions', async () => {
    const introspection = await t.graphql(token, '{ __schema { types { name } } }');
    expect(introspection.body.data ?? null).toBeNull();
    expect(introspection.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = await t.graphql(token, '{ viewr { role } }');
    expect(typo.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it('limits a partner client across all its tokens, with 429 and Retry-After', async () => {
    // demo-partner may send free text even in production (not held to registered operations).
    const claims = { client_id: 'demo-partner', scope: 'dossier:read' };
    const a = await t.token('partner', '420000', { ...claims, sub: 'demo-partner-a' });
    const b = await t.token('partner', '420000', { ...claims, sub: 'demo-partner-b' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await fetch(t.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${i % 2 ? a : b}` },
        body: JSON.stringify({ query: '{ viewer { role } }' }),
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
        expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Another account is not affected.
    expect((await t.graphql(await t.token('county_query', '420115'), '{ viewer { role } }')).status).toBe(200);
  });
});

/** With REDIS_URL, gateway instances share counters (CI sets TEST_REDIS_URL; a laptop may have no Redis). */
const redisUrl = process.env.TEST_REDIS_URL;
(redisUrl ? describe : describe.skip)('rate limits shared through Redis', () => {
  it('two gateway instances count one user together', async () => {
    const t = await startTestPlatform({ REDIS_URL: redisUrl as string, RATE_LIMIT_USER_PER_MINUTE: '4' });
    const second = await createGateway(
      loadGatewayConfig({
        ...testEnv(uniqueSuffix(), { REDIS_URL: redisUrl as string, RATE_LIMIT_USER_PER_MINUTE: '4', PORT: '0' }),
        SUBGRAPH_URLS: t.platform.subgraphs.map((s) => `${s.name}=${s.url}`).join(','),
      }),
    );
    try {
      // A subject unique to this run, so earlier runs' counters in Redis do not interfere.
      const token = await tokenFor('county_query', '420111', { sub: `redis-${uniqueSuffix()}` });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const url = i % 2 ? second.url : t.gatewayUrl;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ viewer { role } }' }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await second.stop();
      await t.stop();
    }
  });
});
