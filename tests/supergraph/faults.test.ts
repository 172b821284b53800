import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadGatewayConfig } from '../../gateway/src/config';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { ResilientSubgraphDataSource } from '../../gateway/src/resilient-data-source';
import { createGateway, type RunningGateway } from '../../gateway/src/server';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { uniqueSuffix } from '../helpers/database';
import { postGraphQL, startTestPlatform, testEnv, tokenFor, type TestPlatform } from '../helpers/platform';
import { checkInvariants, dbsOf, settleEvents } from '../reliability/invariants';

type Mode = 'pass' | 'down' | 'slow' | 'error500' | 'fail-once';

/**
 * A stand-in for the network between the gateway and the training subgraph: it passes requests
 * through, or drops them, stalls them or answers 500, as the test says.
 */
async function startFaultyProxy(target: string) {
  let mode: Mode = 'pass';
  let seen = 0;
  const server = http.createServer((req, res) => {
    seen += 1;
    const current: Mode = mode === 'fail-once' ? 'error500' : mode;
    if (mode === 'fail-once') mode = 'pass';
    if (current === 'down') return req.socket.destroy();
    if (current === 'error500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('internal failure at http://10.0.0.7:4002 with stack trace');
    }
    const forward = () => {
      const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (current === 'slow') setTimeout(forward, 1500);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    setMode: (next: Mode) => (mode = next),
    seen: () => seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const QUERY = '{ teachers(first: 2) { nodes { name trainingProgress { completedHours } } } }';

describe('subgraph faults at the gateway', () => {
  let t: TestPlatform;
  let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
  let gateway: RunningGateway;
  let token: string;
  const ask = () => postGraphQL<any>(gateway.url, { authorization: `Bearer ${token}` }, QUERY);

  beforeAll(async () => {
    t = await startTestPlatform();
    proxy = await startFaultyProxy(t.subgraphUrl('training'));
    const urls = t.platform.subgraphs.map((s) => `${s.name}=${s.name === 'training' ? proxy.url : s.url}`).join(',');
    gateway = await createGateway(
      loadGatewayConfig({
        ...testEnv(uniqueSuffix(), {
          PORT: '0',
          SUBGRAPH_TIMEOUT_MS: '500',
          SUBGRAPH_MAX_RETRIES: '1',
          SUBGRAPH_BREAKER_VOLUME: '4',
          SUBGRAPH_BREAKER_RESET_MS: '1500',
        }),
        SUBGRAPH_URLS: urls,
      }),
    );
    token = await tokenFor('county_query', '420111');
  });
  afterAll(async () => {
    await gateway?.stop();
    await proxy?.close();
    await t?.stop();
  });

  const expectPartialAnswer = (body: { data?: any; errors?: any[] }) => {
    expect(body.data.teachers.nodes).toHaveLength(2);
    for (const node of body.data.teachers.nodes) {
      expect(node.name).toEqual(expect.any(String));
      expect(node.trainingProgress).toBeNull();
    }
    const error = body.errors?.find((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE');
    expect(error?.extensions?.serviceName).toBe('training');
    expect(error?.message).toMatch(/training/);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|10\.0\.0\.7|stack|ECONN/);
  };

  it('answers normally through the proxy', async () => {
    proxy.setMode('pass');
    const { body } = await ask();
    expect(body.errors).toBeUndefined();
    expect(body.data.teachers.nodes[0].trainingProgress).not.toBeNull();
  });

  it('retries a query once after a 500 and succeeds', async () => {
    proxy.setMode('fail-once');
    const before = proxy.seen();
    const { body } = await ask();
    expect(body.errors).toBeUndefined();
    expect(proxy.seen() - before).toBe(2);
  });

  it.each<[Mode]>([['down'], ['slow'], ['error500']])('with the subgraph %s, serves the other subgraphs\' data and names the missing one', async (mode) => {
    proxy.setMode(mode);
    const { status, body } = await ask();
    expect(status).toBe(200);
    expectPartialAnswer(body);
  });

  it('opens the circuit after repeated failures, then recovers by itself when the subgraph is back', async () => {
    proxy.setMode('down');
    for (let i = 0; i < 6; i += 1) await ask();
    const beforeOpen = proxy.seen();
    const shortCircuited = await ask();
    expectPartialAnswer(shortCircuited.body);
    expect(proxy.seen()).toBe(beforeOpen); // the open circuit did not call the subgraph
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    expect(metrics).toMatch(/gateway_subgraph_circuit_open\{subgraph="training"\} 1/);

    proxy.setMode('pass');
    await new Promise((resolve) => setTimeout(resolve, 1700)); // reset timeout: half-open
    const recovered = await ask();
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data.teachers.nodes[0].trainingProgress).not.toBeNull();
  });

  it('never sends a mutation twice', async () => {
    const source = new ResilientSubgraphDataSource(
      'training',
      proxy.url,
      { timeoutMs: 500, maxRetries: 2, retryBudgetRatio: 1, breakerErrorPercent: 100, breakerVolumeThreshold: 100, breakerResetMs: 1000 },
      createLogger('test', 'silent'),
    );
    const call = (query: string) =>
      source.process({
        kind: GraphQLDataSourceRequestKind.LOADING_SCHEMA,
        request: { query, http: { method: 'POST', url: proxy.url, headers: new Headers() } },
        context: {},
      } as never);
    proxy.setMode('fail-once');
    let before = proxy.seen();
    await expect(call('mutation Declare { __typename }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
    expect(proxy.seen() - before).toBe(1);
    // The same failure on a query is retried.
    proxy.setMode('fail-once');
    before = proxy.seen();
    await call('query Probe { __typename }').catch(() => undefined);
    expect(proxy.seen() - before).toBe(2);
  });

  it('leaves data that reconciles (tests/reliability/invariants.ts)', async () => {
    await settleEvents(t.platform.subgraphs);
    expect(await checkInvariants(dbsOf(t.platform.subgraphs), { requireDrained: true })).toEqual([]);
  });
});

