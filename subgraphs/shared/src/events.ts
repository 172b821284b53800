import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import type { Db } from './db';
import { readBody, sendJson } from './http-server';
import type { Logger } from './logger';
import { appendAudit } from './audit';
import { teacherIdsIn } from './audit-context';

/**
 * Cross-subgraph facts travel as events through a transactional outbox.
 *
 * The producer writes the event in the same transaction as the business change (`enqueueEvent`),
 * one outbox row per consumer. A relay in the producer's process delivers each row at least once
 * (POST /internal/events, HMAC-signed with the internal secret) and retries with backoff while the
 * consumer is down, so nothing is lost. The consumer applies the event and records its id in the
 * same transaction (`inbox`), so a redelivered event changes nothing: exactly-once effect.
 */
export const EVENT_TYPES = {
  TEACHER_REGISTERED: 'teacher.registered',
  TEACHER_AFFILIATION_CHANGED: 'teacher.affiliation-changed',
  /**
   * A teacher's employment status changed in the registry (retired, left, transferred out of the
   * system, back to active) or a draft archive was deleted (status 'deleted'): consumers keep it in
   * their teacher_scope projection, so counts of serving teachers leave the person out.
   */
  TEACHER_STATUS_CHANGED: 'teacher.status-changed',
  TRANSFER_COMPLETED: 'staffing.transfer-completed',
  ROTATION_COMPLETED: 'staffing.rotation-completed',
  TITLE_AWARDED: 'evaluation.title-awarded',
  AWARD_GRANTED: 'evaluation.award-granted',
  /** A school appoints an approved title: staffing-quota takes (or refuses) a post slot of the title's grades. */
  TITLE_APPOINTMENT_REQUESTED: 'evaluation.title-appointment-requested',
  /** Staffing-quota's answer to a title appointment: the post taken, or why none was free. */
  TITLE_POST_DECIDED: 'staffing.title-post-decided',
  /** A teacher's credit bank changed: the verdict of each training cycle, for registration and award gates. */
  TRAINING_CYCLE_SUMMARIES_CHANGED: 'training.cycle-summaries-changed',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/**
 * One teacher's training verdict in one five-year cycle: an item of
 * `training.cycle-summaries-changed`. Training publishes it, evaluation keeps it for registration
 * and award gates; one declaration so producer and consumer cannot drift apart.
 */
export interface CycleSummaryFact {
  teacherId: string;
  cycleId: string;
  startsOn: string;
  endsOn: string;
  provinceCode: string;
  hours: number;
  credits: number;
  requiredHours: number;
  requiredCredits: number;
  /** Both the credit and the hour requirement reached [达标]: the same verdict as Teacher.trainingCycleSummary. */
  isMet: boolean;
}

/** Which subgraphs consume each event type. The producer's relay delivers to each of them. */
export const EVENT_CONSUMERS: Record<EventType, readonly string[]> = {
  'teacher.registered': ['training', 'staffing-quota', 'evaluation'],
  'teacher.affiliation-changed': ['training', 'staffing-quota', 'evaluation'],
  'teacher.status-changed': ['training', 'staffing-quota', 'evaluation'],
  'staffing.transfer-completed': ['teacher-registry'],
  'staffing.rotation-completed': ['teacher-registry', 'evaluation'],
  'evaluation.title-awarded': ['teacher-registry'],
  'evaluation.award-granted': ['teacher-registry'],
  'evaluation.title-appointment-requested': ['staffing-quota'],
  'staffing.title-post-decided': ['evaluation'],
  'training.cycle-summaries-changed': ['evaluation'],
};

export interface PlatformEvent<P = Record<string, unknown>> {
  id: string;
  type: EventType;
  /** Producing subgraph. */
  source: string;
  occurredAt: string;
  payload: P;
}

export interface EventHandlerContext<P = any> {
  trx: Knex.Transaction;
  db: Db;
  event: PlatformEvent<P>;
  logger: Logger;
}
export type EventHandler<P = any> = (context: EventHandlerContext<P>) => Promise<void>;
export type EventHandlers = Partial<Record<EventType, EventHandler>>;

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

export async function createEventTables(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('outbox', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('event_id').notNullable();
    t.text('consumer').notNullable();
    t.text('type').notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.text('last_error');
    t.unique(['event_id', 'consumer']);
  });
  await knex.raw('create index outbox_pending_idx on ??.outbox (next_attempt_at) where delivered_at is null', [schema]);
  await knex.schema.withSchema(schema).createTable('inbox', (t) => {
    t.uuid('event_id').primary();
    t.text('type').notNullable();
    t.text('source').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function dropEventTables(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).dropTableIfExists('inbox');
  await knex.schema.withSchema(schema).dropTableIfExists('outbox');
}

// ---------------------------------------------------------------------------------------------
// Producer side
// ---------------------------------------------------------------------------------------------

/** Writes an event into the outbox, inside the caller's transaction. Returns the event id. */
export async function enqueueEvent(
  trx: Knex.Transaction,
  db: Db,
  event: { type: EventType; payload: Record<string, unknown>; id?: string },
): Promise<string> {
  const id = event.id ?? randomUUID();
  const consumers = EVENT_CONSUMERS[event.type];
  if (!consumers) throw new Error(`unknown event type ${event.type}`);
  await trx(db.t('outbox'))
    .insert(consumers.map((consumer) => ({ event_id: id, consumer, type: event.type, payload: JSON.stringify(event.payload) })))
    .onConflict(['event_id', 'consumer'])
    .ignore();
  return id;
}

export const EVENT_SIGNATURE_HEADER = 'x-event-signature';
export const EVENTS_PATH = '/internal/events';

export function signEventBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function signatureMatches(body: string, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signEventBody(body, secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface OutboxRelayOptions {
  db: Db;
  source: string;
  secret: string;
  logger: Logger;
  /** Base URL of a consumer subgraph (its GraphQL URL is fine; the path is replaced), or undefined if unknown yet. */
  consumerUrl: (consumer: string) => string | undefined;
  intervalMs?: number;
  batchSize?: number;
  requestTimeoutMs?: number;
  /** How long a claimed row stays reserved for this relay before another pass may take it again. */
  leaseSeconds?: number;
}

export interface OutboxRelay {
  /** Delivers what is due now; resolves with the number of rows delivered. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

/** Backoff after failed attempts: 1 s, 2 s, 4 s … capped at 5 minutes. */
export const retryDelayMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * Polls the outbox and delivers due rows. Rows are claimed with FOR UPDATE SKIP LOCKED inside a
 * transaction, so two relays (two replicas) never deliver the same row at the same time; a relay
 * killed mid-batch leaves its rows undelivered, and they go out on the next pass.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, logger } = options;
  const intervalMs = options.intervalMs ?? 500;
  const batchSize = options.batchSize ?? 100;
  const leaseSeconds = options.leaseSeconds ?? 30;
  let running: Promise<number> | null = null;
  let stopped = false;

  async function deliver(row: OutboxRow): Promise<void> {
    const base = options.consumerUrl(row.consumer);
    if (!base) throw new Error(`no URL known for consumer ${row.consumer}`);
    const event: PlatformEvent = { id: row.event_id, type: row.type as EventType, source: options.source, occurredAt: new Date(row.occurred_at).toISOString(), payload: row.payload };
    const body = JSON.stringify(event);
    const response = await fetch(new URL(EVENTS_PATH, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [EVENT_SIGNATURE_HEADER]: signEventBody(body, options.secret) },
      body,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`consumer ${row.consumer} answered HTTP ${response.status}`);
  }

  /**
   * Claims due rows by pushing their next attempt one lease into the future (one statement, FOR
   * UPDATE SKIP LOCKED), then delivers them outside any transaction: holding a transaction open
   * across HTTP calls would block the consumer's own writes on a single-backend database. A relay
   * killed mid-batch leaves its claimed rows undelivered; they fall due again when the lease ends.
   */
  async function pass(): Promise<number> {
    const outbox = db.t('outbox');
    const claimed = await db.knex.raw(
      `update ${outbox} set next_attempt_at = now() + make_interval(secs => ?), attempts = attempts + 1
         where id in (select id from ${outbox} where delivered_at is null and next_attempt_at <= now()
                      order by id limit ? for update skip locked)
         returning id, event_id, consumer, type, payload, occurred_at, attempts`,
      [leaseSeconds, batchSize],
    );
    const rows = (claimed.rows as OutboxRow[]).sort((a, b) => Number(a.id) - Number(b.id));
    let delivered = 0;
    for (const row of rows) {
      try {
        await deliver(row);
        await db.knex(outbox).where('id', row.id).update({ delivered_at: db.knex.fn.now(), last_error: null });
        delivered += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await db
          .knex(outbox)
          .where('id', row.id)
          .update({ last_error: message.slice(0, 500), next_attempt_at: new Date(Date.now() + retryDelayMs(row.attempts)) });
        logger.warn({ eventId: row.event_id, consumer: row.consumer, attempts: row.attempts, error: message }, 'event delivery failed; will retry');
      }
    }
    return delivered;
  }

  const flush = () => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    flush().catch((error) => logger.error({ err: error }, 'outbox relay pass failed'));
  }, intervalMs);
  timer.unref();

  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

interface OutboxRow {
  id: number;
  event_id: string;
  consumer: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: string | Date;
  attempts: number;
}

// ---------------------------------------------------------------------------------------------
// Consumer side
// ---------------------------------------------------------------------------------------------

const eventShape = (value: unknown): value is PlatformEvent =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as PlatformEvent).id === 'string' &&
  /^[0-9a-f-]{36}$/i.test((value as PlatformEvent).id) &&
  typeof (value as PlatformEvent).type === 'string' &&
  typeof (value as PlatformEvent).source === 'string' &&
  typeof (value as PlatformEvent).payload === 'object';

/**
 * Applies one event exactly once: the inbox insert and the handler share a transaction, so either
 * both happen or neither; a duplicate finds its id in the inbox and is acknowledged untouched.
 * Returns 'applied', 'duplicate' or 'ignored' (no handler for the type here).
 */
export async function applyEvent(db: Db, handlers: EventHandlers, event: PlatformEvent, logger: Logger): Promise<'applied' | 'duplicate' | 'ignored'> {
  const handler = handlers[event.type];
  return db.knex.transaction(async (trx) => {
    const inserted = await trx(db.t('inbox'))
      .insert({ event_id: event.id, type: event.type, source: event.source })
      .onConflict('event_id')
      .ignore()
      .returning('event_id');
    if (inserted.length === 0) return 'duplicate';
    if (!handler) return 'ignored';
    await handler({ trx, db, event, logger });
    // Event intake is a write by a platform service, audited like any other, in the same transaction.
    await appendAudit(trx, db, { subject: `service:${event.source}`, role: 'system', orgId: 'CN', orgPath: '/CN/' }, {
      action: `event:${event.type}`,
      teacherIds: teacherIdsIn(event.payload),
      result: 'ok',
      detail: { eventId: event.id },
    });
    return 'applied';
  });
}

/** The /internal/events route of a subgraph: verifies the HMAC, then applies the event. */
export function eventIntakeRoute(options: { db: Db; handlers: EventHandlers; secret: string; logger: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    const body = await readBody(req, 1_000_000).catch(() => null);
    if (body === null) return sendJson(res, 413, { error: 'event too large' });
    const signature = req.headers[EVENT_SIGNATURE_HEADER];
    if (!signatureMatches(body, Array.isArray(signature) ? signature[0] : signature, options.secret)) {
      return sendJson(res, 401, { error: 'events are accepted from platform services only' });
    }
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    if (!eventShape(event)) return sendJson(res, 400, { error: 'not an event: id (uuid), type, source and payload are required' });
    try {
      const outcome = await applyEvent(options.db, options.handlers, event, options.logger);
      sendJson(res, 200, { outcome });
    } catch (error) {
      // The producer retries: a handler failure must not be acknowledged.
      options.logger.error({ err: error, eventId: event.id, type: event.type }, 'event handler failed');
      sendJson(res, 500, { error: 'event could not be applied; retry later' });
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Shared consumer: the teacher_scope projection
// ---------------------------------------------------------------------------------------------

interface TeacherScopePayload {
  teacherId: string;
  orgPath: string;
}

/** Events may arrive out of order after retries: an older fact never overwrites a newer one. */
const upsertTeacherScope: EventHandler<TeacherScopePayload> = async ({ trx, db, event }) => {
  const { teacherId, orgPath } = event.payload;
  const table = db.t('teacher_scope');
  await trx.raw(
    `insert into ${table} as s (teacher_id, org_path, updated_at) values (?, ?, ?)
       on conflict (teacher_id) do update set org_path = excluded.org_path, updated_at = excluded.updated_at
       where s.updated_at <= excluded.updated_at`,
    [teacherId, orgPath, event.occurredAt],
  );
};

/**
 * A teacher's status in the teacher_scope projection: the registry's employment status, or
 * 'deleted' when a draft archive was deleted (the row stays, so a late registration event cannot
 * bring the teacher back, and the teacher's own records stay attributable).
 */
export const TEACHER_SCOPE_STATUSES = ['active', 'retired', 'left', 'transferred_out', 'deleted'] as const;
export type TeacherScopeStatus = (typeof TEACHER_SCOPE_STATUSES)[number];

/** Payload of `teacher.status-changed`, one declaration for the registry and every consumer. */
export interface TeacherStatusChanged {
  teacherId: string;
  status: TeacherScopeStatus;
  previousStatus: string | null;
  /** The day the status took effect (the transfer's effective date; the deletion day). */
  effectiveOn: string;
  /** The teacher's organisation path at the change, so a consumer that never saw the registration can place them. */
  orgPath: string;
}

/**
 * Status and affiliation are separate facts with separate clocks (`status_updated_at`), so an
 * older move arriving late still moves the teacher and an older status never overwrites a newer
 * one. A malformed payload is acknowledged and logged: retrying it would never succeed.
 */
const recordTeacherStatus: EventHandler<TeacherStatusChanged> = async ({ trx, db, event, logger }) => {
  const { teacherId, status, orgPath } = event.payload;
  if (typeof teacherId !== 'string' || !/^[0-9a-f-]{36}$/i.test(teacherId) || !TEACHER_SCOPE_STATUSES.includes(status) || typeof orgPath !== 'string' || !orgPath.startsWith('/')) {
    logger.warn({ eventId: event.id, payload: event.payload }, 'malformed teacher status change ignored');
    return;
  }
  const table = db.t('teacher_scope');
  await trx.raw(
    `insert into ${table} as s (teacher_id, org_path, status, status_updated_at, updated_at) values (?, ?, ?, ?, ?)
       on conflict (teacher_id) do update set status = excluded.status, status_updated_at = excluded.status_updated_at
       where s.status_updated_at is null or s.status_updated_at <= excluded.status_updated_at`,
    [teacherId.toLowerCase(), orgPath, status, event.occurredAt, event.occurredAt],
  );
};

/** Keeps a subgraph's teacher_scope projection in step with the registry. Spread into eventHandlers. */
export const teacherScopeEventHandlers: EventHandlers = {
  'teacher.registered': upsertTeacherScope,
  'teacher.affiliation-changed': upsertTeacherScope,
  'teacher.status-changed': recordTeacherStatus,
};
