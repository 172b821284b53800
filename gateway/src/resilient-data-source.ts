import http from 'node:http';
import https from 'node:https';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import CircuitBreaker from 'opossum';
import { ErrorCode } from '../../subgraphs/shared/src/errors';
import { INTERNAL_IDENTITY_HEADER } from '../../subgraphs/shared/src/identity';
import { IDEMPOTENCY_KEY_HEADER } from '../../subgraphs/shared/src/idempotency-record';
import type { Logger } from '../../subgraphs/shared/src/logger';
import { subgraphCircuitOpen, subgraphFetchDuration, subgraphFetchErrors } from '../../subgraphs/shared/src/metrics';
import { injectTraceHeaders, tracingActive, withClientSpan } from '../../subgraphs/shared/src/tracing';
import type { GatewayContext } from './server';

export interface SubgraphFaultPolicy {
  /** Per-attempt deadline, below the gateway's own request deadline. */
  timeoutMs: number;
  /** Extra attempts for queries after a network error, timeout or HTTP 5xx; mutations never retry. */
  maxRetries: number;
  /** Retries may add at most this fraction of first attempts (plus a small floor): no retry storms. */
  retryBudgetRatio: number;
  /** Circuit breaker: open when this share of recent calls failed… */
  breakerErrorPercent: number;
  /** …over at least this many calls; then try again after this long (half-open). */
  breakerVolumeThreshold: number;
  breakerResetMs: number;
}

/** A failure worth retrying and counting against the circuit: the subgraph did not answer properly. */
class SubgraphFault extends Error {}

/**
 * Retry budget (token bucket): every first attempt deposits `ratio` of a token, every retry spends
 * one. When a subgraph is really down, retries stop as soon as the budget is gone.
 */
class RetryBudget {
  private tokens: number;
  constructor(
    private readonly ratio: number,
    private readonly cap = 10,
  ) {
    this.tokens = cap;
  }
  recordAttempt(): void {
    this.tokens = Math.min(this.cap, this.tokens + this.ratio);
  }
  trySpend(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export function subgraphUnavailable(subgraph: string): GraphQLError {
  // Names the missing part; never the URL, the cause or a stack.
  return new GraphQLError(`The ${subgraph} service is unavailable: the fields it provides are missing from this answer. Try again shortly.`, {
    extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: subgraph },
  });
}

/**
 * The gateway's connection to one subgraph: forwards the signed viewer and request id, bounds each
 * attempt by a timeout, retries queries within a budget, and stops calling a subgraph that keeps
 * failing (circuit breaker) until it answers again.
 */
export class ResilientSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly breaker: CircuitBreaker<[GraphQLDataSourceProcessOptions<GatewayContext>], GatewayGraphQLResponse>;
  private readonly budget: RetryBudget;

  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly policy: SubgraphFaultPolicy,
    logger: Logger,
  ) {
    super({ url });
    // A lean HTTP client on keep-alive agents instead of fetch(): see leanFetcher below.
    this.fetcher = leanFetcher(policy.timeoutMs) as unknown as typeof this.fetcher;
    this.budget = new RetryBudget(policy.retryBudgetRatio);
    this.breaker = new CircuitBreaker((options: GraphQLDataSourceProcessOptions<GatewayContext>) => this.attempts(options), {
      timeout: false, // attempts carry their own deadline
      errorThresholdPercentage: policy.breakerErrorPercent,
      volumeThreshold: policy.breakerVolumeThreshold,
      resetTimeout: policy.breakerResetMs,
      rollingCountTimeout: 10_000,
      // Only real faults count: a 4xx (bad request, refused signature) is an answer, not an outage.
      errorFilter: (error: unknown) => !(error instanceof SubgraphFault),
    });
    this.breaker.on('open', () => {
      subgraphCircuitOpen.set({ subgraph }, 1);
      logger.warn({ subgraph }, 'circuit opened: subgraph failing, calls short-circuited');
    });
    this.breaker.on('halfOpen', () => logger.info({ subgraph }, 'circuit half-open: probing subgraph'));
    this.breaker.on('close', () => {
      subgraphCircuitOpen.set({ subgraph }, 0);
      logger.info({ subgraph }, 'circuit closed: subgraph answering again');
    });
    subgraphCircuitOpen.set({ subgraph }, 0);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('identityHeader' in context) || !context.identityHeader) return;
    request.http?.headers.set(INTERNAL_IDENTITY_HEADER, context.identityHeader);
    request.http?.headers.set('x-request-id', context.requestId);
    if (context.idempotencyKey && /^\s*mutation\b/.test(request.query ?? '')) request.http?.headers.set(IDEMPOTENCY_KEY_HEADER, context.idempotencyKey);
    // The subgraph continues this fetch's trace (only when tracing is on).
    injectTraceHeaders((name, value) => request.http?.headers.set(name, value));
  }

  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!tracingActive()) return this.measuredProcess(options);
    const parent = 'traceContext' in options.context ? options.context.traceContext : undefined;
    return withClientSpan('gateway', `subgraph ${this.subgraph}`, { 'graphql.subgraph.name': this.subgraph }, () => this.measuredProcess(options), parent);
  }

  private async measuredProcess(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const endTimer = subgraphFetchDuration.startTimer({ subgraph: this.subgraph });
    try {
      const response = await this.breaker.fire(options);
      endTimer({ outcome: response.errors?.length ? 'graphql_error' : 'ok' });
      return response;
    } catch (error) {
      endTimer({ outcome: 'failed' });
      subgraphFetchErrors.inc({ subgraph: this.subgraph });
      if (error instanceof GraphQLError) throw error;
      throw subgraphUnavailable(this.subgraph);
    }
  }

  private async attempts(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // A mutation may have taken effect before the connection broke: never send it twice.
    const retryable = !/^\s*mutation\b/.test(options.request.query ?? '');
    this.budget.recordAttempt();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await super.process(options);
      } catch (error) {
        if (!isFault(error)) throw refusal(this.subgraph, error);
        if (!retryable || attempt >= this.policy.maxRetries || !this.budget.trySpend()) throw new SubgraphFault(String(error));
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      }
    }
  }
}

/**
 * A 4xx from a subgraph, re-stated without the response details Apollo attaches (they include the
 * subgraph's internal URL and body).
 */
function refusal(subgraph: string, error: unknown): GraphQLError {
  const extensions = (error as { extensions?: { code?: unknown; response?: { status?: unknown; body?: unknown } } }).extensions;
  const code = extensions?.code;
  // A variable the subgraph could not coerce (HTTP 400, e.g. "2026-02-30" for a Date) is the
  // client's mistake, not a platform failure: pass on the subgraph's own message, which names the
  // variable and the reason (found by tests/reliability/mutation-properties.test.ts).
  const body = extensions?.response?.body as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined;
  const inputError =
    extensions?.response?.status === 400
      ? body?.errors?.find((e) => typeof e.message === 'string' && (e.extensions?.code === 'BAD_USER_INPUT' || e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'))
      : undefined;
  if (inputError) {
    return new GraphQLError(String(inputError.message).slice(0, 500), { extensions: { code: ErrorCode.BAD_USER_INPUT, serviceName: subgraph } });
  }
  const known = typeof code === 'string' && (Object.values(ErrorCode) as string[]).includes(code);
  return new GraphQLError(`The ${subgraph} service refused the request.`, {
    extensions: { code: known ? code : ErrorCode.INTERNAL_SERVER_ERROR, serviceName: subgraph },
  });
}

/** Network errors, timeouts and HTTP 5xx are faults; HTTP 4xx answers are not. */
function isFault(error: unknown): boolean {
  const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
  if (typeof status === 'number') return status >= 500;
  return true;
}

/**
 * Subgraph calls are the gateway's hottest path (one dossier is five to eight of them). Node's
 * fetch() builds WHATWG request, header and stream objects for each and parses through web streams;
 * profiles of the benchmark showed that machinery among the gateway's largest costs. This client
 * does the same exchange with node:http on keep-alive agents (one connection pool per process,
 * reused across requests) and reads the body as one buffer. Each attempt still has its own
 * deadline; a timeout or a broken connection rejects like a network error, so retries and the
 * circuit breaker see it as a fault.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
};

interface LeanResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
}

export function leanFetcher(timeoutMs: number) {
  return (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<LeanResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const body = init.body ?? '';
      const request = (secure ? https : http).request(
        target,
        {
          method: init.method ?? 'POST',
          headers: { ...init.headers, 'content-length': Buffer.byteLength(body) },
          agent: secure ? agents['https:'] : agents['http:'],
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              statusText: response.statusMessage ?? '',
              url,
              headers: {
                get(name: string) {
                  const value = response.headers[name.toLowerCase()];
                  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
                },
              },
              json: async () => JSON.parse(text) as unknown,
              text: async () => text,
            });
          });
        },
      );
      const timer = setTimeout(() => request.destroy(new Error(`subgraph did not answer within ${timeoutMs} ms`)), timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      request.on('error', fail);
      request.end(body);
    });
}
