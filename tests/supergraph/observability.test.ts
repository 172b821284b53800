import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/** Prometheus metrics at the gateway and every subgraph, and one request id across services. */
describe('observability', () => {
  let t: TestPlatform;
  const logLines: Record<string, unknown>[] = [];
  const logDestination = { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) };
  beforeAll(async () => {
    t = await startTestPlatform({ LOG_LEVEL: 'debug' }, { logDestination });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const metricsText = async (graphqlUrl: string) => (await fetch(new URL('/metrics', graphqlUrl))).text();
  const sample = (text: string, name: string, labels: Record<string, string>) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('counts and times operations per operation name, at the gateway and in the subgraphs', async () => {
    const token = await t.token('county_query', '420111');
    const before = await metricsText(t.gatewayUrl);
    const query = 'query ObservedArchive { teachers(first: 3) { nodes { name trainingProgress { completedHours } } } }';
    for (let i = 0; i < 2; i += 1) expect((await t.graphql(token, query)).body.errors).toBeUndefined();
    const after = await metricsText(t.gatewayUrl);

    const requests = (text: string) => sample(text, 'graphql_requests_total', { service: 'gateway', operation: 'ObservedArchive', outcome: 'ok' });
    expect(requests(after) - requests(before)).toBe(2);
    expect(sample(after, 'graphql_request_duration_seconds_count', { service: 'gateway', operation: 'ObservedArchive' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'training', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'graphql_requests_total', { service: 'training', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(after).toMatch(/db_pool_connections\{service="teacher-registry",state="free"\}/);
    expect(after).toMatch(/outbox_pending_events\{service="teacher-registry"\} \d+/);
    expect(after).toMatch(/process_cpu_user_seconds_total/);
  });

  it('serves /metrics on every subgraph', async () => {
    for (const s of t.platform.subgraphs) {
      const response = await fetch(new URL('/metrics', s.url));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    }
  });

  it('does not let clients inflate label cardinality with odd operation names', async () => {
    const token = await t.token('county_query', '420111');
    await t.graphql(token, 'query { viewer { role } }');
    const text = await metricsText(t.gatewayUrl);
    expect(text).toMatch(/graphql_requests_total\{service="gateway",operation="anonymous",outcome="ok"\}/);
  });

  it('carries one request id from the gateway through every subgraph it calls', async () => {
    const token = await t.token('county_query', '420111');
    const response = await fetch(t.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'obs-request-42' },
      body: JSON.stringify({ query: 'query Traced { teachers(first: 2) { nodes { name trainingProgress { completedHours } annualAssessments { year } } } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('obs-request-42');
    const services = new Set(logLines.filter((l) => l.requestId === 'obs-request-42' && l.msg === 'graphql operation').map((l) => l.service));
    expect(services).toEqual(new Set(['gateway', 'teacher-registry', 'training', 'evaluation']));
    // Secrets never reach the logs.
    expect(JSON.stringify(logLines)).not.toContain(token);
  });
});
