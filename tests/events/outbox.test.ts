import { randomUUID } from 'node:crypto';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { EVENT_SIGNATURE_HEADER, EVENTS_PATH, enqueueEvent, signEventBody, startOutboxRelay } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import type { RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import { postGraphQL, startTestPlatform, TEST_INTERNAL_SECRET, type TestPlatform } from '../helpers/platform';

const data = buildDemoDataset();
const teacher = data.teachers.find((t) => t.orgPath.includes('/420111/'))!;
const newSchool = data.orgUnits.find((o) => o.level === 'school' && o.path.includes('/420115/'))!;
const CONSUMERS = ['training', 'staffing-quota', 'evaluation'];

describe('transactional outbox and idempotent intake', () => {
  let t: TestPlatform;
  let registry: RunningSubgraph;
  const sub = (name: string) => t.platform.subgraphs.find((s) => s.name === name)!;
  const scopeOf = async (name: string, teacherId: string) =>
    (await sub(name).db.knex(sub(name).db.t('teacher_scope')).first('org_path').where('teacher_id', teacherId))?.org_path;

  beforeAll(async () => {
    // The timer-driven relays stay idle; the tests drive delivery with flush().
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
    registry = sub('teacher-registry');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const moveEvent = (orgPath: string) => ({
    type: 'teacher.affiliation-changed' as const,
    payload: { teacherId: teacher.id, fromSchoolId: teacher.schoolId, toSchoolId: newSchool.id, fromOrgPath: teacher.orgPath, orgPath, effectiveOn: '2026-09-01' },
  });

  it('an event written in a rolled-back transaction is never delivered', async () => {
    await expect(
      registry.db.knex.transaction(async (trx) => {
        await enqueueEvent(trx, registry.db, moveEvent('/CN/should-not-arrive/'));
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    expect(await registry.relay.flush()).toBe(0);
    expect(await scopeOf('training', teacher.id)).toBe(teacher.orgPath);
  });

  it('delivers a committed event to every consumer, which applies it once', async () => {
    const eventId = await registry.db.knex.transaction((trx) => enqueueEvent(trx, registry.db, moveEvent(newSchool.path)));
    expect(await registry.relay.flush()).toBe(CONSUMERS.length);
    for (const name of CONSUMERS) {
      expect(await scopeOf(name, teacher.id)).toBe(newSchool.path);
      expect(await sub(name).db.knex(sub(name).db.t('inbox')).where('event_id', eventId).count('* as n').first()).toEqual({ n: 1 });
    }

    // Redelivery (a relay that died after sending but before marking) changes nothing.
    await registry.db.knex(registry.db.t('outbox')).where('event_id', eventId).update({ delivered_at: null, next_attempt_at: registry.db.knex.fn.now() });
    await sub('training').db.knex(sub('training').db.t('teacher_scope')).where('teacher_id', teacher.id).update({ org_path: '/CN/tampered/' });
    expect(await registry.relay.flush()).toBe(CONSUMERS.length);
    expect(await scopeOf('training', teacher.id)).toBe('/CN/tampered/'); // not re-applied
    await sub('training').db.knex(sub('training').db.t('teacher_scope')).where('teacher_id', teacher.id).update({ org_path: newSchool.path });
  });

  it('after the move, consumers authorise the teacher for the new county and no longer for the old one', async () => {
    const query = 'query($id: ID!) { _entities(representations: [{ __typename: "Teacher", id: $id }]) { ... on Teacher { id } } }';
    const asCounty = async (orgId: string) => {
      const viewer: Viewer = { subject: 'x', role: 'county_query', orgId, orgPath: data.orgUnits.find((o) => o.id === orgId)!.path, scopes: [] };
      const headers = { [INTERNAL_IDENTITY_HEADER]: await signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60) };
      const { body } = await postGraphQL<{ _entities: ({ id: string } | null)[] }>(t.subgraphUrl('evaluation'), headers, query, { id: teacher.id });
      return body.data?._entities[0] ?? null;
    };
    expect(await asCounty('420115')).toEqual({ id: teacher.id });
    expect(await asCounty('420111')).toBeNull();
  });

  it('keeps an undeliverable event and delivers it when the consumer is reachable', async () => {
    const logger = createLogger('test-relay', 'silent');
    const eventId = await registry.db.knex.transaction((trx) => enqueueEvent(trx, registry.db, moveEvent(teacher.orgPath)));
    let consumerUp = false;
    const relay = startOutboxRelay({
      db: registry.db,
      source: 'teacher-registry',
      secret: TEST_INTERNAL_SECRET,
      logger,
      intervalMs: 3600000,
      consumerUrl: (name) => (consumerUp ? t.subgraphUrl(name) : 'http://127.0.0.1:9/graphql'),
      requestTimeoutMs: 1000,
    });
    try {
      expect(await relay.flush()).toBe(0);
      const failed = await registry.db.knex(registry.db.t('outbox')).where('event_id', eventId);
      expect(failed.every((row: { delivered_at: unknown; attempts: number; last_error: string }) => row.delivered_at === null && row.attempts === 1 && row.last_error)).toBe(true);
      // Not due yet: backoff holds it back.
      consumerUp = true;
      expect(await relay.flush()).toBe(0);
      await registry.db.knex(registry.db.t('outbox')).where('event_id', eventId).update({ next_attempt_at: registry.db.knex.fn.now() });
      expect(await relay.flush()).toBe(CONSUMERS.length);
      expect(await scopeOf('evaluation', teacher.id)).toBe(teacher.orgPath);
    } finally {
      await relay.stop();
    }
  });

  it('never lets an older fact overwrite a newer one', async () => {
    const newer = { id: randomUUID(), type: 'teacher.affiliation-changed', source: 'teacher-registry', occurredAt: '2030-01-02T00:00:00.000Z', payload: { teacherId: teacher.id, orgPath: '/CN/newer/' } };
    const older = { ...newer, id: randomUUID(), occurredAt: '2030-01-01T00:00:00.000Z', payload: { teacherId: teacher.id, orgPath: '/CN/older/' } };
    for (const event of [newer, older]) {
      const body = JSON.stringify(event);
      const response = await fetch(new URL(EVENTS_PATH, t.subgraphUrl('training')), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [EVENT_SIGNATURE_HEADER]: signEventBody(body, TEST_INTERNAL_SECRET) },
        body,
      });
      expect(response.status).toBe(200);
    }
    expect(await scopeOf('training', teacher.id)).toBe('/CN/newer/');
  });

  it('refuses unsigned, forged and malformed events without storing anything', async () => {
    const url = new URL(EVENTS_PATH, t.subgraphUrl('training'));
    const event = { id: randomUUID(), type: 'teacher.registered', source: 'x', occurredAt: new Date().toISOString(), payload: { teacherId: teacher.id, orgPath: '/CN/forged/' } };
    const body = JSON.stringify(event);
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(url, { method: 'POST', headers: { [EVENT_SIGNATURE_HEADER]: signEventBody(body, 'wrong-secret-0123456789abcdefghijklmnop') }, body });
    expect(forged.status).toBe(401);
    const notAnEvent = JSON.stringify({ hello: 'world' });
    const malformed = await fetch(url, { method: 'POST', headers: { [EVENT_SIGNATURE_HEADER]: signEventBody(notAnEvent, TEST_INTERNAL_SECRET) }, body: notAnEvent });
    expect(malformed.status).toBe(400);
    expect(await sub('training').db.knex(sub('training').db.t('inbox')).where('event_id', event.id).first()).toBeUndefined();
    expect(await scopeOf('training', teacher.id)).not.toBe('/CN/forged/');
  });
});
