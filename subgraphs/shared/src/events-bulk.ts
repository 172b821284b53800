import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './db';
import { EVENT_CONSUMERS, type EventType } from './events';

/**
 * `enqueueEvent` for many events at once (a bulk import announces thousands of teachers): the same
 * outbox rows, one per event and consumer, written in a few multi-row statements inside the caller's
 * transaction instead of one statement per event. Returns the event ids in input order.
 */
export async function enqueueEvents(
  trx: Knex.Transaction,
  db: Db,
  events: readonly { type: EventType; payload: Record<string, unknown>; id?: string }[],
  batchSize = 1000,
): Promise<string[]> {
  const ids: string[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const event of events) {
    const id = event.id ?? randomUUID();
    const consumers = EVENT_CONSUMERS[event.type];
    if (!consumers) throw new Error(`unknown event type ${event.type}`);
    ids.push(id);
    const payload = JSON.stringify(event.payload);
    for (const consumer of consumers) rows.push({ event_id: id, consumer, type: event.type, payload });
  }
  for (let i = 0; i < rows.length; i += batchSize) {
    await trx(db.t('outbox')).insert(rows.slice(i, i + batchSize)).onConflict(['event_id', 'consumer']).ignore();
  }
  return ids;
}
