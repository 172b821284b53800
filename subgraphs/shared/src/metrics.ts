import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Knex } from 'knex';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from './db';
import type { Logger } from './logger';

/**
 * Prometheus metrics for every service. One registry per process: when `npm start` runs all five
 * services in one process they share it, told apart by the `service` label.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const graphqlRequests = new Counter({
  name: 'graphql_requests_total',
  help: 'GraphQL operations handled, by service, operation name and outcome (ok, error).',
  labelNames: ['service', 'operation', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const graphqlDuration = new Histogram({
  name: 'graphql_request_duration_seconds',
  help: 'Time from receiving a GraphQL operation to sending its response.',
  labelNames: ['service', 'operation'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const subgraphFetchDuration = new Histogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: 'Gateway fetches to subgraphs, by subgraph and outcome (ok, graphql_error, failed).',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const subgraphFetchErrors = new Counter({
  name: 'gateway_subgraph_fetch_errors_total',
  help: 'Gateway fetches to subgraphs that failed (network error, timeout, HTTP error).',
  labelNames: ['subgraph'] as const,
  registers: [metricsRegistry],
});

export const subgraphCircuitOpen = new Gauge({
  name: 'gateway_subgraph_circuit_open',
  help: '1 while the circuit breaker to a subgraph is open (calls short-circuited), else 0.',
  labelNames: ['subgraph'] as const,
  registers: [metricsRegistry],
});

const pools = new Map<string, Knex>();
new Gauge({
  name: 'db_pool_connections',
  help: 'Database pool connections by service and state (used, free, pending acquires).',
  labelNames: ['service', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [service, knex] of pools) {
      const pool = (knex.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
      if (!pool) continue;
      this.set({ service, state: 'used' }, pool.numUsed());
      this.set({ service, state: 'free' }, pool.numFree());
      this.set({ service, state: 'pending' }, pool.numPendingAcquires());
    }
  },
});

const outboxes = new Map<string, Db>();
new Gauge({
  name: 'outbox_pending_events',
  help: 'Events written but not yet delivered to a consumer, by producing service.',
  labelNames: ['service'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const [service, db] of outboxes) {
      const row = await db.knex(db.t('outbox')).whereNull('delivered_at').count<{ n: number }[]>('* as n').first().catch(() => undefined);
      if (row) this.set({ service }, Number(row.n));
    }
  },
});

/** Registers a service's database so its pool and outbox backlog are reported. */
export function watchDatabase(service: string, db: Db, options: { outbox: boolean }): () => void {
  pools.set(service, db.knex);
  if (options.outbox) outboxes.set(service, db);
  return () => {
    pools.delete(service);
    outboxes.delete(service);
  };
}

/**
 * Operation names come from clients: only well-formed names are used as labels, and only the first
 * few hundred distinct ones, so a client cannot blow up the metric cardinality.
 */
const MAX_OPERATION_LABELS = 300;
const knownOperations = new Set<string>();
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'invalid';
  if (knownOperations.has(name)) return name;
  if (knownOperations.size >= MAX_OPERATION_LABELS) return 'other';
  knownOperations.add(name);
  return name;
}

/** Counts and times every operation; logs one line per operation with its request id. */
export function metricsAndLoggingPlugin<T extends BaseContext>(service: string, logger: Logger, logLevel: 'info' | 'debug'): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, operationName, response, errors, contextValue }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          // The name resolved from the document; the request's own field is often left empty.
          const operation = operationLabel(operationName ?? request.operationName);
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          graphqlRequests.inc({ service, operation, outcome: failed ? 'error' : 'ok' });
          graphqlDuration.observe({ service, operation }, seconds);
          const requestId = (contextValue as { requestId?: string } | undefined)?.requestId;
          // Clients quote this id when they report a problem; every service logged it.
          if (requestId) response.http.headers.set('x-request-id', requestId);
          logger[logLevel]({ requestId, operation, ms: Math.round(seconds * 1000), outcome: failed ? 'error' : 'ok', status: response.http.status ?? 200 }, 'graphql operation');
        },
      };
    },
  };
}

export async function metricsRoute(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await metricsRegistry.metrics();
  res.writeHead(200, { 'content-type': metricsRegistry.contentType });
  res.end(body);
}
