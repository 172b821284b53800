import { startOutboxRelay } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import type { RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { startTestPlatform, TEST_INTERNAL_SECRET, type TestPlatform } from '../helpers/platform';
import { checkApiAgainstRows, checkInvariants, dbsOf, settleEvents } from './invariants';
import { freePort, newRegistration, REGISTER_TEACHER, runTsx, startHoldingProxy, waitFor, type Child } from './support';

const CONSUMERS = ['training', 'staffing-quota', 'evaluation'] as const;

/**
 * The outbox relay and the event consumer killed in the middle of a batch (issue #10, item 3): the
 * relay delivers each event at least once, the consumer applies it exactly once, nothing is lost,
 * and everything reconciles afterwards.
 */
describe('relay and consumer killed mid-batch', () => {
  let t: TestPlatform;
  let admin: string;
  let national: string;
  const sub = (name: string) => t.platform.subgraphs.find((s) => s.name === name) as RunningSubgraph;
  const registry = () => sub('teacher-registry');

  beforeAll(async () => {
    // The platform's own relays stay idle: these tests decide who delivers, and when.
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
    admin = await t.token('school_info_admin', '1142000101');
    national = await t.token('national_query', 'CN');
    await settleEvents(t.platform.subgraphs);
  }, 180000);
  afterAll(async () => {
    await t?.stop();
  });

  /** Registers teachers through the gateway; each leaves one outbox row per consumer. */
  async function registerTeachers(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const { body } = await t.graphql(admin, REGISTER_TEACHER, { input: newRegistration(`批次教师${i}`) });
      expect(body.errors).toBeUndefined();
      expect(body.data.registerTeacher.errors).toEqual([]);
      ids.push(body.data.registerTeacher.teacher.id);
    }
    return ids;
  }

  const outboxOf = (teacherIds: string[]) =>
    registry().db.knex(registry().db.t('outbox')).whereRaw(`payload->>'teacherId' = any(?)`, [teacherIds]);
  const inboxCount = async (consumer: string, eventIds: string[]) => {
    const db = sub(consumer).db;
    return Number((await db.knex(db.t('inbox')).whereIn('event_id', eventIds).count('* as n'))[0]!.n);
  };
  const expectAppliedOnceEverywhere = async (teacherIds: string[]) => {
    const rows = await outboxOf(teacherIds).select('event_id', 'consumer', 'delivered_at');
    expect(rows).toHaveLength(teacherIds.length * CONSUMERS.length);
    expect(rows.filter((r: { delivered_at: unknown }) => r.delivered_at === null)).toEqual([]);
    const eventIds = [...new Set(rows.map((r: { event_id: string }) => r.event_id))] as string[];
    for (const consumer of CONSUMERS) {
      expect(await inboxCount(consumer, eventIds)).toBe(teacherIds.length);
      const db = sub(consumer).db;
      const scoped = await db.knex(db.t('teacher_scope')).whereIn('teacher_id', teacherIds).count('* as n');
      expect(Number(scoped[0]!.n)).toBe(teacherIds.length);
    }
  };
  const reconcile = async () => {
    await settleEvents(t.platform.subgraphs);
    const dbs = dbsOf(t.platform.subgraphs);
    expect(await checkInvariants(dbs, { requireDrained: true })).toEqual([]);
    expect(await checkApiAgainstRows(dbs, async (query, variables) => (await t.graphql(national, query, variables)).body, 5)).toEqual([]);
  };

  it('a relay process killed mid-batch leaves nothing lost, and the restarted relay causes no double application', async () => {
    const teacherIds = await registerTeachers(8); // 24 outbox rows in one batch
    // One proxy per consumer, so the test can hold an answer the consumer already gave.
    const proxyUrls = await Promise.all(CONSUMERS.map(async (name) => ({ name, proxy: await startHoldingProxy(() => sub(name).url) })));
    const env = {
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      DATABASE_SCHEMA: registry().db.schema,
      SOURCE: 'teacher-registry',
      CONSUMER_URLS: proxyUrls.map(({ name, proxy }) => `${name}=${proxy.url}`).join(','),
      LEASE_SECONDS: '2',
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    };
    // Training's second event: the consumer applies it, the relay is killed before it hears so.
    const training = proxyUrls[0]!.proxy;
    const held = training.holdNth(2);
    let relay: Child | null = runTsx('tests/reliability/relay-worker.ts', env);
    try {
      const request = await held;
      relay.child.kill('SIGKILL');
      await relay.exited;
      request.release(true);
      const heldEvent = JSON.parse(request.body) as { id: string };

      // Mid-batch: some rows delivered and marked, the held one applied but not marked, others not sent.
      const rows = await outboxOf(teacherIds).select('event_id', 'consumer', 'delivered_at');
      const marked = rows.filter((r: { delivered_at: unknown }) => r.delivered_at !== null).length;
      expect(marked).toBeGreaterThan(0);
      expect(marked).toBeLessThan(rows.length);
      const heldRow = rows.find((r: { event_id: string; consumer: string }) => r.event_id === heldEvent.id && r.consumer === 'training');
      expect(heldRow.delivered_at).toBeNull();
      expect(await inboxCount('training', [heldEvent.id])).toBe(1);

      // A new relay process takes over once the dead one's lease has run out.
      relay = runTsx('tests/reliability/relay-worker.ts', env);
      await waitFor(async () => (await outboxOf(teacherIds).whereNull('delivered_at').count('* as n'))[0]!.n === 0, 30000, 'the restarted relay to deliver everything');
      relay.child.kill('SIGTERM');
      expect(await relay.exited).toBe(0);
      relay = null;

      // The held event went to training twice; the second time the consumer recognised it.
      const heldAnswers = training.answers.filter((a) => JSON.parse(a.body).id === heldEvent.id).map((a) => a.outcome);
      expect(heldAnswers).toEqual(['applied', 'duplicate']);
      await expectAppliedOnceEverywhere(teacherIds);
      await reconcile();
    } finally {
      relay?.child.kill('SIGKILL');
      await Promise.all(proxyUrls.map(({ proxy }) => proxy.close()));
    }
  }, 180000);

  it('a consumer process killed after applying but before answering gets the batch again, applies each event once', async () => {
    const teacherIds = await registerTeachers(6);
    const port = await freePort();
    const consumerUrl = `http://127.0.0.1:${port}/graphql`;
    const consumerEnv = {
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      EVALUATION_DATABASE_SCHEMA: sub('evaluation').db.schema,
      EVALUATION_PORT: String(port),
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
      EVENT_RELAY_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'warn',
    };
    const startConsumer = async () => {
      const child = runTsx('subgraphs/evaluation/src/main.ts', consumerEnv);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, 30000, 'the evaluation process');
      return child;
    };
    let consumer: Child | null = await startConsumer();
    // Evaluation's events go through a proxy to the evaluation process; the others straight to the platform.
    const proxy = await startHoldingProxy(() => consumerUrl);
    const relay = startOutboxRelay({
      db: registry().db,
      source: 'teacher-registry',
      secret: TEST_INTERNAL_SECRET,
      logger: createLogger('test-relay', 'silent'),
      consumerUrl: (name) => (name === 'evaluation' ? proxy.url : sub(name).url),
      intervalMs: 100,
      leaseSeconds: 2,
    });
    try {
      const request = await proxy.holdNth(3);
      // The consumer committed the event; it dies before its answer reaches the relay.
      consumer.child.kill('SIGKILL');
      await consumer.exited;
      consumer = null;
      request.release(true);
      const heldEvent = JSON.parse(request.body) as { id: string };
      expect(await inboxCount('evaluation', [heldEvent.id])).toBe(1);
      // While it is down, deliveries to it fail and wait with backoff; nothing is marked delivered.
      await waitFor(async () => Number((await outboxOf(teacherIds).where('consumer', 'evaluation').whereNotNull('last_error').count('* as n'))[0]?.n) > 0, 10000, 'failed deliveries');
      const undelivered = await outboxOf(teacherIds).where('consumer', 'evaluation').whereNull('delivered_at').count('* as n');
      expect(Number(undelivered[0]!.n)).toBeGreaterThan(teacherIds.length - 3);

      consumer = await startConsumer();
      // Backoff would wait up to seconds more; deliver what is due now.
      await registry().db.knex(registry().db.t('outbox')).whereNull('delivered_at').update({ next_attempt_at: registry().db.knex.fn.now() });
      await waitFor(async () => (await outboxOf(teacherIds).whereNull('delivered_at').count('* as n'))[0]!.n === 0, 30000, 'redelivery to the restarted consumer');
      const heldAnswers = proxy.answers.filter((a) => JSON.parse(a.body).id === heldEvent.id).map((a) => a.outcome);
      expect(heldAnswers).toEqual(['applied', 'duplicate']);
      await expectAppliedOnceEverywhere(teacherIds);
      await reconcile();
    } finally {
      await relay.stop();
      await proxy.close();
      if (consumer) {
        consumer.child.kill('SIGTERM');
        await consumer.exited;
      }
    }
  }, 180000);
});
