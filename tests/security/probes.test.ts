import { loadGatewayConfig } from '../../gateway/src/config';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity } from '../../subgraphs/shared/src/identity';
import { createGateway } from '../../gateway/src/server';
import { uniqueSuffix } from '../helpers/database';
import { demoOrgPath, postGraphQL, startTestPlatform, TEST_INTERNAL_SECRET, testEnv, tokenFor, type GraphQLBody, type TestPlatform } from '../helpers/platform';

/**
 * graphql-cop's probes (alias overloading, batched queries, deep recursion, directive overloading,
 * field suggestions, introspection, GET-based mutations, CSRF, trace mode, unhandled errors) and
 * the OWASP GraphQL cheat sheet's limits, against a platform in production mode; each asserts the
 * safe outcome. Limit values and how to change them: README, Security.
 */
describe('gateway abuse limits and graphql-cop probes (production mode)', () => {
  let t: TestPlatform;
  let token: string;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(t.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body) });

  let writer: string;
  beforeAll(async () => {
    t = await startTestPlatform({ NODE_ENV: 'production', RATE_LIMIT_USER_PER_MINUTE: '1000', RATE_LIMIT_CLIENT_PER_MINUTE: '5', MAX_BODY_BYTES: '20000' });
    token = await t.token('county_query', '420111');
    // A province information administrator may add excellent-cap rules: a write we can look for afterwards.
    writer = await t.token('province_info_admin', '420000');
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

  const capRule = (source: string) =>
    `mutation { addExcellentCapRule(input: { unitCategory: DEFAULT, maxShare: 0.2, effectiveFrom: "2041-01-01", source: "${source}" }) { errors { code } } }`;
  const capRuleSources = async () =>
    ((await t.graphql(writer, '{ excellentCapRules(provinceCode: "420000", on: "2041-06-01") { source } }')).body.data?.excellentCapRules ?? []).map((r: { source: string }) => r.source);

  it('refuses a mutation sent with GET, even with the preflight header, and stores nothing', async () => {
    const url = `${t.gatewayUrl}?query=${encodeURIComponent(capRule('probe-get'))}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${writer}`, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    const body = (await response.json()) as GraphQLBody<unknown>;
    expect(body.data ?? null).toBeNull();
    expect(await capRuleSources()).not.toContain('probe-get');
  });

  it('CSRF: refuses cross-site "simple" POSTs (text/plain, form-encoded, multipart) and stores nothing; the JSON POST works', async () => {
    const query = capRule('probe-csrf');
    for (const [contentType, body] of [
      ['text/plain', JSON.stringify({ query })],
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent(query)}`],
      ['multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query })}\r\n--x--\r\n`],
    ] as const) {
      const response = await fetch(t.gatewayUrl, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${writer}` }, body });
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 400 });
    }
    expect(await capRuleSources()).not.toContain('probe-csrf');
    // Control: the same write as a JSON POST is stored, so the refusals above were real.
    const control = await t.graphql(writer, capRule('probe-json'));
    expect(control.body.data?.addExcellentCapRule.errors).toEqual([]);
    expect(await capRuleSources()).toContain('probe-json');
  });

  it('introspection is off in production at the gateway (also __type) and at every subgraph', async () => {
    for (const query of ['{ __type(name: "Teacher") { fields { name } } }', 'query { a: __schema { queryType { name } } }']) {
      const { body } = await t.graphql(token, query);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const header = await signInternalIdentity(
      { subject: 'probe', role: 'county_query', orgId: '420111', orgPath: demoOrgPath('420111'), scopes: [] },
      TEST_INTERNAL_SECRET,
      60,
    );
    for (const s of t.platform.subgraphs) {
      const { body } = await postGraphQL<any>(s.url, { [INTERNAL_IDENTITY_HEADER]: header }, '{ __schema { types { name } } }');
      expect({ subgraph: s.name, data: body.data ?? null, code: body.errors?.[0]?.extensions?.code }).toEqual({ subgraph: s.name, data: null, code: 'GRAPHQL_VALIDATION_FAILED' });
    }
  });

  it('field suggestions do not reveal field names in production', async () => {
    const { body } = await t.graphql(token, '{ teacherz(id: "1") { nam } }');
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors ?? []) {
      expect(error.message).not.toMatch(/did you mean/i);
      expect(error.message).not.toMatch(/"teacher"|"name"/);
    }
  });

  it('refuses several operations in one document without an operation name, and circular fragments', async () => {
    const several = await t.graphql(token, 'query A { viewer { role } } query B { viewer { role } }');
    expect(several.body.data ?? null).toBeNull();
    expect(several.status).toBe(400);
    const circular = await t.graphql(token, 'query { viewer { ...A } } fragment A on Viewer { role ...B } fragment B on Viewer { ...A }');
    expect(circular.body.data ?? null).toBeNull();
    expect(circular.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('trace mode: no execution traces reach a client, even when asked for', async () => {
    const response = await fetch(t.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'apollo-federation-include-trace': 'ftv1' },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    const body = (await response.json()) as { extensions?: Record<string, unknown> };
    expect(Object.keys(body.extensions ?? {}).filter((k) => /trace|ftv1/i.test(k))).toEqual([]);
  });

  it('unhandled errors: malformed JSON and wrong variable types answer 400 with no stack or internals', async () => {
    const malformed = await fetch(t.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query": "{ viewer { role } }"' });
    expect(malformed.status).toBe(400);
    const text = await malformed.text();
    expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    const wrongType = await t.graphql(token, 'query ($id: ID!) { teacher(id: $id) { id } }', { id: { nested: true } });
    expect(wrongType.status).toBe(400);
    expect(JSON.stringify(wrongType.body)).not.toMatch(/\n\s+at |node_modules|stacktrace/);
  });

  /**
   * Each subgraph's unexpected-error path (a table gone missing, so the SQL fails), through the
   * gateway and straight at the subgraph: masked as INTERNAL_SERVER_ERROR, with no SQL text,
   * table or schema names, stack or internal address.
   */
  const brokenReads = [
    { subgraph: 'teacher-registry', table: 'change_request', field: 'changeRequests', query: '{ changeRequests(first: 1) { nodes { id } } }' },
    { subgraph: 'training', table: 'training_course', field: 'trainingCourses', query: '{ trainingCourses(first: 1) { totalCount } }' },
    { subgraph: 'staffing-quota', table: 'transfer', field: 'transfers', query: '{ transfers(first: 1) { totalCount } }' },
    { subgraph: 'evaluation', table: 'award_programme', field: 'awardProgrammes', query: '{ awardProgrammes(first: 1) { totalCount } }' },
  ];
  it.each(brokenReads)('errors are masked in production: $subgraph', async ({ subgraph, table, field, query }) => {
    const running = t.platform.subgraphs.find((s) => s.name === subgraph)!;
    const schema = running.db.t(table).split('.')[0]!;
    await running.db.knex.raw('alter table ?? rename to ??', [running.db.t(table), `${table}_probe_hidden`]);
    try {
      const reader = await t.token('county_info_admin', '420111');
      const header = await signInternalIdentity(
        { subject: 'probe', role: 'county_info_admin', orgId: '420111', orgPath: demoOrgPath('420111'), scopes: [] },
        TEST_INTERNAL_SECRET,
        60,
      );
      const answers = [(await t.graphql(reader, query)).body, (await postGraphQL<any>(running.url, { [INTERNAL_IDENTITY_HEADER]: header }, query)).body];
      for (const body of answers) {
        expect(body.data?.[field] ?? null).toBeNull();
        expect(body.errors?.map((e) => e.extensions?.code)).toContain('INTERNAL_SERVER_ERROR');
        const text = JSON.stringify(body);
        for (const leak of [`${table}_probe_hidden`, schema, 'select ', 'relation', 'stacktrace', 'exception', 'http://', '127.0.0.1', 'node_modules', '.ts:']) {
          expect({ leak, found: text.toLowerCase().includes(leak.toLowerCase()) }).toEqual({ leak, found: false });
        }
      }
    } finally {
      await running.db.knex.raw('alter table ?? rename to ??', [`${schema}.${table}_probe_hidden`, table]);
    }
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
