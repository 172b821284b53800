import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import type { BasicTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Knex } from 'knex';
import { z } from 'zod';
import { booleanFlag, parseConfig, type Env } from './config';

/**
 * OpenTelemetry tracing, off unless configured. When on, one trace follows a request from the
 * gateway (a server span, one client span per subgraph fetch) into every subgraph it reaches (a
 * server span per request, a span per SQL statement), joined by the W3C `traceparent` header on
 * the subgraph HTTP calls. Spans go to an OTLP/HTTP collector (Jaeger, Tempo, the OTel collector).
 *
 * Off costs nothing: every hook first checks one boolean and, when it is false, calls straight
 * through; no SDK object exists, no header is added, no listener is attached to the database.
 */
export interface TracingSettings {
  enabled: boolean;
  /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  endpoint?: string;
  serviceName: string;
}

const settingsSchema = z.object({
  OTEL_ENABLED: booleanFlag(false),
  OTEL_SDK_DISABLED: booleanFlag(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url('must be an http(s) URL of an OTLP/HTTP collector').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url('must be an http(s) URL of an OTLP/HTTP traces endpoint').optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

/**
 * Tracing is on with `OTEL_ENABLED=true` or when an OTLP endpoint is set (the standard OTel
 * variables), and `OTEL_SDK_DISABLED=true` switches it off whatever else is set.
 */
export function tracingSettingsFromEnv(service: string, env: Env): TracingSettings {
  const parsed = parseConfig(service, settingsSchema, env);
  const base = parsed.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const endpoint = parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  const enabled = !parsed.OTEL_SDK_DISABLED && (parsed.OTEL_ENABLED || endpoint !== undefined);
  return { enabled, endpoint, serviceName: parsed.OTEL_SERVICE_NAME ?? service };
}

let active = false;
let provider: BasicTracerProvider | null = null;
let users = 0;

/** True while a tracer provider is installed; every hook checks this first. */
export function tracingActive(): boolean {
  return active;
}

export interface TracingHandle {
  /** Sends what is buffered (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const noopHandle: TracingHandle = { flush: async () => undefined, shutdown: async () => undefined };

/**
 * Installs the tracer provider for this process (once; later calls share it, as when `npm start`
 * runs every service in one process). `exporter` replaces the OTLP exporter (tests).
 */
export function startTracing(settings: TracingSettings, options: { exporter?: SpanExporter; batch?: boolean } = {}): TracingHandle {
  if (!settings.enabled) return noopHandle;
  users += 1;
  if (!provider) {
    // The SDK is loaded only when tracing is switched on: off, not even its modules are in memory.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
    const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
    const sdk = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = sdk;
    const exporter =
      options.exporter ??
      new OTLPTraceExporter({
        ...(settings.endpoint ? { url: settings.endpoint } : {}),
        // The exporter's default agent factory loads node:http with a dynamic import(), which
        // some runners (jest without VM modules) cannot do; the same keep-alive agents, loaded statically.
        httpAgentOptions: (protocol: string) => (protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true })),
      });
    const processor = options.batch === false ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
    provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': settings.serviceName }), spanProcessors: [processor] });
    // AsyncLocalStorage carries the current span across awaits, so subgraph fetches and SQL
    // statements find the request they belong to without passing it around.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    active = true;
  }
  const current = provider;
  return {
    flush: () => current.forceFlush(),
    async shutdown() {
      users -= 1;
      if (users > 0 || provider !== current) return;
      active = false;
      provider = null;
      await current.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

function tracer(service: string) {
  return trace.getTracer(service);
}

/**
 * Runs an HTTP GraphQL request inside a server span that continues the caller's trace (the
 * gateway's `traceparent` for a subgraph; a client's for the gateway).
 */
export function withServerSpan<T>(service: string, req: IncomingMessage, path: string, work: () => Promise<T>): Promise<T> {
  if (!active) return work();
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer(service).startSpan(
    `${req.method ?? 'POST'} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'service.name': service, 'http.request.method': req.method ?? 'POST', 'url.path': path } },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span), work);
}

export type TraceContext = Context;

/** The current trace context (undefined when tracing is off), to parent spans started later. */
export function currentTraceContext(): TraceContext | undefined {
  return active ? context.active() : undefined;
}

/**
 * A client span around one fetch from the gateway to a subgraph; the fetch carries its traceparent.
 * `parent` is the request's context: a fetch that follows another in the query plan would
 * otherwise become the child of the one before it.
 */
export function withClientSpan<T>(service: string, name: string, attributes: Record<string, string>, work: () => Promise<T>, parent?: TraceContext): Promise<T> {
  if (!active) return work();
  const parentContext = parent ?? context.active();
  const span = tracer(service).startSpan(name, { kind: SpanKind.CLIENT, attributes: { 'service.name': service, ...attributes } }, parentContext);
  return runInSpan(span, trace.setSpan(parentContext, span), work);
}

async function runInSpan<T>(span: Span, ctx: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(ctx, work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** Adds `traceparent` (and `tracestate`) of the current span to outgoing headers. */
export function injectTraceHeaders(set: (name: string, value: string) => void): void {
  if (!active) return;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [name, value] of Object.entries(carrier)) set(name, value);
}

/**
 * A span per SQL statement, child of the request being served. Attached only when tracing is on;
 * the statement text is recorded without its bound values (they can be personal data).
 */
export function traceDatabase(knex: Knex, service: string): void {
  if (!active) return;
  const open = new Map<string, Span>();
  const finish = (query: { __knexQueryUid?: string }, error?: unknown) => {
    const uid = query.__knexQueryUid;
    const span = uid ? open.get(uid) : undefined;
    if (!span || !uid) return;
    open.delete(uid);
    if (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  knex.on('query', (query: { sql?: string; method?: string; __knexQueryUid?: string }) => {
    if (!active || !query.__knexQueryUid) return;
    // Statements outside any request (relays, migrations) are not traced: they would be lone roots.
    if (!trace.getSpan(context.active())) return;
    const span = tracer(service).startSpan(`SQL ${query.method ?? 'query'}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'service.name': service, 'db.system': 'postgresql', 'db.query.text': (query.sql ?? '').slice(0, 2000) },
    });
    open.set(query.__knexQueryUid, span);
    // A statement whose answer never comes must not hold its span forever.
    if (open.size > 10_000) open.clear();
  });
  knex.on('query-response', (_response: unknown, query: { __knexQueryUid?: string }) => finish(query));
  knex.on('query-error', (error: unknown, query: { __knexQueryUid?: string }) => finish(query, error));
}
