import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from '../../subgraphs/shared/src/config';
import { startTracing, tracingActive, tracingSettingsFromEnv, type TracingHandle } from '../../subgraphs/shared/src/tracing';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * OpenTelemetry tracing switched on by configuration: one query through the gateway yields spans
 * from the gateway and from every subgraph it reached, in one trace; and the OTLP/HTTP exporter
 * delivers to a small collector started by the test.
 */
describe('OpenTelemetry tracing', () => {
  it('is off unless configured, and a bad endpoint is a configuration error naming the variable', () => {
    expect(tracingSettingsFromEnv('gateway', {}).enabled).toBe(false);
    expect(tracingSettingsFromEnv('gateway', { OTEL_ENABLED: 'true' }).enabled).toBe(true);
    expect(tracingSettingsFromEnv('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toMatchObject({
      enabled: true,
      endpoint: 'http://collector:4318/v1/traces',
    });
    expect(tracingSettingsFromEnv('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    const off = startTracing(tracingSettingsFromEnv('gateway', {}));
    expect(tracingActive()).toBe(false);
    void off.shutdown();
    try {
      tracingSettingsFromEnv('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector without scheme' });
      throw new Error('expected a configuration error');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    }
  });

  describe('switched on', () => {
    let t: TestPlatform;
    let tracing: TracingHandle;
    // In-memory exporter: jest cannot run the OTLP exporter's dynamic import() of node:http (the
    // OTLP path itself is exercised in a child process below).
    const exporter = new InMemorySpanExporter();

    beforeAll(async () => {
      tracing = startTracing({ enabled: true, serviceName: 'teacher-platform' }, { exporter, batch: false });
      t = await startTestPlatform();
    });
    afterAll(async () => {
      await t?.stop();
      await tracing?.shutdown();
    });

    it('one query yields gateway and subgraph spans in one trace, joined through traceparent', async () => {
      expect(tracingActive()).toBe(true);
      const token = await t.token('county_query', '420111');
      const query = 'query Traced { teachers(first: 2) { nodes { name trainingProgress { completedHours } annualAssessments { year grade } } } }';
      const { body } = await t.graphql(token, query);
      expect(body.errors).toBeUndefined();
      expect(body.data.teachers.nodes).toHaveLength(2);
      await tracing.flush();

      const spans = exporter.getFinishedSpans();
      const service = (s: ReadableSpan) => s.attributes['service.name'];
      const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
      const root = spans.find((s) => service(s) === 'gateway' && s.name === 'POST /graphql' && !parentOf(s));
      expect(root).toBeDefined();
      const traceId = root!.spanContext().traceId;
      const trace = spans.filter((s) => s.spanContext().traceId === traceId);

      // The gateway: one client span per subgraph fetch, children of its server span.
      const fetches = trace.filter((s) => s.name.startsWith('subgraph '));
      expect(new Set(fetches.map((s) => s.attributes['graphql.subgraph.name']))).toEqual(new Set(['teacher-registry', 'training', 'evaluation']));
      for (const f of fetches) expect(parentOf(f)).toBe(root!.spanContext().spanId);

      // Every subgraph reached continued the trace: its server span's parent is the gateway's fetch.
      const servers = trace.filter((s) => s.name === 'POST /graphql' && service(s) !== 'gateway');
      expect(new Set(servers.map(service))).toEqual(new Set(['teacher-registry', 'training', 'evaluation']));
      for (const server of servers) {
        const parent = fetches.find((f) => f.spanContext().spanId === parentOf(server));
        expect(parent?.attributes['graphql.subgraph.name']).toBe(service(server));
      }

      // SQL statements are spans of the subgraph request that ran them, with text but no values.
      const sql = trace.filter((s) => s.name.startsWith('SQL '));
      expect(sql.length).toBeGreaterThan(0);
      const serverIds = new Set(servers.map((s) => s.spanContext().spanId));
      expect(sql.some((s) => serverIds.has(parentOf(s) ?? ''))).toBe(true);
      expect(sql.every((s) => s.attributes['db.system'] === 'postgresql' && String(s.attributes['db.query.text'] ?? '').length > 0)).toBe(true);
      expect(new Set(sql.map(service))).toEqual(new Set(['teacher-registry', 'training', 'evaluation']));
    });
  });

  it('exports over OTLP/HTTP (JSON) to the configured endpoint', async () => {
    const bodies: { url?: string; contentType?: string; body: string }[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ url: req.url, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    // A real Node process (the exporter loads node:http through import(), which jest's VM cannot).
    const script = [
      "const t = require('./subgraphs/shared/src/tracing');",
      "const h = t.startTracing(t.tracingSettingsFromEnv('otlp-probe', process.env));",
      "require('@opentelemetry/api').trace.getTracer('otlp-probe').startSpan('probe span').end();",
      'h.shutdown().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    try {
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
          cwd: resolvePath(__dirname, '..', '..'),
          env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
          stdio: 'inherit',
        });
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ url: '/v1/traces', contentType: 'application/json' });
      const exported = JSON.parse(bodies[0]!.body) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[] };
      expect(exported.resourceSpans[0]?.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'otlp-probe' } });
      expect(exported.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe('probe span');
    } finally {
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });
});
