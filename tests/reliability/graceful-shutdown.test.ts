import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envPrefix } from '../../subgraphs/shared/src/config';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity } from '../../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../../subgraphs';
import { testDatabaseUrl, testDb, uniqueSuffix, usesEmbeddedDatabase } from '../helpers/database';
import { startTestPlatform, TEST_INTERNAL_SECRET, TEST_JWT_SECRET, tokenFor, type TestPlatform } from '../helpers/platform';
import { freePort, runTsx, sleep, startTcpProxy, waitFor, type Child } from './support';

/**
 * Graceful shutdown (issue #10, item 7), for each kind of process: a subgraph, the gateway and the
 * `npm start` launcher. A slow request in flight when SIGTERM arrives still gets its full answer,
 * new connections are refused meanwhile, and the process exits 0.
 */
const embedded = usesEmbeddedDatabase();
const refused = async (url: string) => {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
    return false;
  } catch (error) {
    return /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error));
  }
};

/** Sends SIGTERM while `inFlight` is still waiting on a stall, checks refusal, then releases the stall. */
async function drainScenario(proc: Child, healthUrl: string, inFlight: Promise<Response>, release: () => Promise<void> | void) {
  let settled = false;
  void inFlight.finally(() => (settled = true)).catch(() => undefined);
  await sleep(500);
  expect(settled).toBe(false); // really in flight
  proc.child.kill('SIGTERM');
  await waitFor(() => refused(healthUrl), 5000, 'the listener to close');
  expect(settled).toBe(false);
  await release();
  const response = await inFlight;
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data).toBeTruthy();
  expect(await proc.exited).toBe(0);
  expect(proc.output()).toContain('shutting down');
}

(embedded ? describe.skip : describe)('graceful shutdown on SIGTERM', () => {
  it('a subgraph finishes the request waiting on the database, refuses new connections, exits 0', async () => {
    const target = new URL(testDatabaseUrl());
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const schema = `training_gs_${uniqueSuffix()}`;
    const port = await freePort();
    const proc = runTsx('subgraphs/training/src/main.ts', {
      DATABASE_URL: proxy.url(testDatabaseUrl()),
      TRAINING_DATABASE_SCHEMA: schema,
      TRAINING_PORT: String(port),
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
      EVENT_RELAY_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, 60000, 'the training process');
      const header = await signInternalIdentity({ subject: 'gs', role: 'national_query', orgId: 'CN', orgPath: '/CN/', scopes: [] }, TEST_INTERNAL_SECRET, 60);
      proxy.stall(); // the database hangs: the next request waits on it
      const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_IDENTITY_HEADER]: header },
        body: JSON.stringify({ query: '{ currentTrainingCycle { id } }' }),
      });
      await drainScenario(proc, `http://127.0.0.1:${port}/health`, inFlight, () => proxy.up());
    } finally {
      proc.child.kill('SIGKILL');
      await proxy.close();
      const db = testDb(schema);
      await db.knex.raw('drop schema if exists ?? cascade', [schema]);
      await db.destroy();
    }
  }, 120000);

  describe('the gateway', () => {
    let t: TestPlatform;
    beforeAll(async () => {
      t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
    }, 180000);
    afterAll(async () => {
      await t?.stop();
    });

    it('finishes the request waiting on a slow subgraph, refuses new connections, exits 0', async () => {
      // Training answers through a proxy that holds requests until the test lets them go.
      let hold = false;
      const waiting: (() => void)[] = [];
      const slow = http.createServer((req, res) => {
        const forward = () => {
          const upstream = http.request(new URL(req.url ?? '/', t.subgraphUrl('training')), { method: req.method, headers: req.headers }, (reply) => {
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(res);
          });
          req.pipe(upstream);
        };
        if (hold) waiting.push(forward);
        else forward();
      });
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
      const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql`;
      const port = await freePort();
      const proc = runTsx('gateway/src/main.ts', {
        JWT_SECRET: TEST_JWT_SECRET,
        INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
        PORT: String(port),
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        SUBGRAPH_TIMEOUT_MS: '10000',
        SUBGRAPH_URLS: t.platform.subgraphs.map((s) => `${s.name}=${s.name === 'training' ? slowUrl : s.url}`).join(','),
      });
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, 60000, 'the gateway process');
        const token = await tokenFor('county_query', '420111');
        hold = true;
        const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ teachers(first: 2) { nodes { name trainingProgress { completedHours } } } }' }),
        });
        await drainScenario(proc, `http://127.0.0.1:${port}/health`, inFlight, () => {
          hold = false;
          for (const go of waiting.splice(0)) go();
        });
      } finally {
        proc.child.kill('SIGKILL');
        slow.closeAllConnections();
        await new Promise<void>((resolve) => slow.close(() => resolve()));
      }
    }, 120000);
  });

  it('npm start (gateway and subgraphs in one process) finishes the in-flight request, then stops everything and exits 0', async () => {
    const target = new URL(testDatabaseUrl());
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const suffix = `gs_${uniqueSuffix()}`;
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'graceful-'));
    const env: Record<string, string> = {
      DATABASE_URL: proxy.url(testDatabaseUrl()),
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
      PORT: String(port),
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DEMO_DATA: 'true',
      EVENT_RELAY_INTERVAL_MS: '3600000',
    };
    for (const s of SUBGRAPHS) {
      env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = `${s.name.replace(/-/g, '_')}_${suffix}`;
      env[`${envPrefix(s.name)}PORT`] = String(await freePort());
    }
    const proc = runTsx('gateway/cli/start.ts', env);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, 90000, 'npm start');
      const token = await tokenFor('county_query', '420111');
      proxy.stall();
      const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ teachers(first: 2) { totalCount nodes { name } } }' }),
      });
      await drainScenario(proc, `http://127.0.0.1:${port}/health`, inFlight, () => proxy.up());
      for (const s of SUBGRAPHS) expect(await refused(`http://127.0.0.1:${env[`${envPrefix(s.name)}PORT`]}/health`)).toBe(true);
    } finally {
      proc.child.kill('SIGKILL');
      await proxy.close();
      rmSync(dataDir, { recursive: true, force: true });
      const db = testDb('public');
      for (const s of SUBGRAPHS) await db.knex.raw('drop schema if exists ?? cascade', [`${s.name.replace(/-/g, '_')}_${suffix}`]);
      await db.destroy();
    }
  }, 180000);
});
