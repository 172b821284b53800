import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { IDEMPOTENCY_KEY_HEADER, withIdempotencyKey } from './idempotency-record';
import { withServerSpan } from './tracing';

/**
 * A small node:http front for Apollo Server: one GraphQL endpoint plus plain routes (/health,
 * /ready). Written here once because gateway and subgraphs need the same thing and a framework
 * adds a layer to every request of a hot path.
 */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Thrown by `prepareRequest` to answer before GraphQL execution, as a GraphQL-shaped error. */
export class HttpRejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The GraphQL request as received: POST body, or GET parameters. */
export interface GraphQLRequestBody {
  query?: string;
  operationName?: string;
  variables?: unknown;
  extensions?: { persistedQuery?: { version?: number; sha256Hash?: string } } & Record<string, unknown>;
  documentId?: string;
}

export interface HttpServerOptions<TContext extends BaseContext> {
  host: string;
  port: number;
  apollo: ApolloServer<TContext>;
  context: ContextFunction<[{ req: IncomingMessage }], TContext>;
  routes?: Record<string, Route>;
  graphqlPath?: string;
  maxBodyBytes?: number;
  /** Whole-request deadline (node's requestTimeout); the gateway sets it above its subgraph timeouts. */
  requestTimeoutMs?: number;
  /** Where runMutation records forwarded idempotency keys (subgraphs; see idempotency-record.ts). */
  idempotencyTable?: string;
  /** Inspects (and may complete) a request before Apollo sees it; throw HttpRejection to refuse. */
  prepareRequest?: (req: IncomingMessage, request: GraphQLRequestBody) => Promise<GraphQLRequestBody>;
  /** Names this service's spans when OpenTelemetry tracing is on (tracing.ts). */
  serviceName?: string;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  server: http.Server;
  stop(): Promise<void>;
}

export class BodyTooLargeError extends Error {}

/** The caller's request id when it is a sane token (it ends up in logs), else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new BodyTooLargeError());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function requestFromSearch(search: string): GraphQLRequestBody {
  const params = new URLSearchParams(search);
  let extensions: GraphQLRequestBody['extensions'];
  try {
    extensions = params.has('extensions') ? (JSON.parse(params.get('extensions') ?? '') as GraphQLRequestBody['extensions']) : undefined;
  } catch {
    extensions = undefined;
  }
  return { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined, extensions, documentId: params.get('documentId') ?? undefined };
}

// NUL and unpaired surrogates: PostgreSQL text and jsonb refuse them.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path of the first string in the variables that no database column can hold, or null.
 * Refused up front, for every service: otherwise the value reaches PostgreSQL, which fails the
 * statement and the client sees an internal error. Walks without recursion (the nesting is the
 * client's choice).
 */
export function unstorableText(variables: unknown): string | null {
  // Nearly every request is clean, so the walk keeps only where each value hangs (its parent and
  // key) and spells a path out only for a hit.
  type Step = { value: unknown; up: Step | null; key: string | number | null };
  const pathOf = (step: Step | null): string => {
    const keys: (string | number)[] = [];
    for (let s = step; s && s.key !== null; s = s.up) keys.push(s.key);
    return keys.reverse().reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
  };
  const stack: Step[] = [{ value: variables, up: null, key: null }];
  while (stack.length) {
    const step = stack.pop()!;
    const { value } = step;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pathOf(step) || '(value)';
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, up: step, key: i }));
    } else if (value && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        if (UNSTORABLE.test(key)) return `${pathOf(step)}.${key}`;
        stack.push({ value: (value as Record<string, unknown>)[key], up: step, key });
      }
    }
  }
  return null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function graphqlError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

export async function startHttpServer<TContext extends BaseContext>(options: HttpServerOptions<TContext>): Promise<RunningHttpServer> {
  const { apollo, context, routes = {}, graphqlPath = '/graphql', maxBodyBytes = 1_000_000 } = options;

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return graphqlError(res, 413, 'BAD_REQUEST', `Request body exceeds ${maxBodyBytes} bytes.`);
        throw error;
      }
      try {
        body = text.length ? JSON.parse(text) : undefined;
      } catch {
        return graphqlError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON.');
      }
    }
    const unstorable = unstorableText((body as GraphQLRequestBody | undefined)?.variables);
    if (unstorable) {
      return graphqlError(res, 400, 'BAD_USER_INPUT', `Variable at "${unstorable}" contains a NUL character or an unpaired UTF-16 surrogate, which text cannot hold.`);
    }
    if (options.prepareRequest) {
      try {
        if (req.method === 'POST') {
          if (typeof body === 'object' && body !== null && !Array.isArray(body)) body = await options.prepareRequest(req, body as GraphQLRequestBody);
        } else {
          await options.prepareRequest(req, requestFromSearch(search));
        }
      } catch (error) {
        if (error instanceof HttpRejection) return graphqlError(res, error.status, error.code, error.message);
        throw error;
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await withIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER], options.idempotencyTable, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
        context: () => context({ req }),
      }),
    );
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const search = queryStart === -1 ? '' : url.slice(queryStart);
    // Exact paths first; a key ending in '/*' serves everything below it.
    const route = routes[path] ?? Object.entries(routes).find(([key]) => key.endsWith('/*') && path.startsWith(key.slice(0, -1)))?.[1];
    const work = route
      ? Promise.resolve(route(req, res))
      : path === graphqlPath
        ? withServerSpan(options.serviceName ?? 'graphql', req, path, () => handleGraphQL(req, res, search))
        : Promise.resolve(sendJson(res, 404, { error: 'not found' }));
    work.catch(() => {
      if (!res.headersSent) graphqlError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.end();
    });
  });
  // Keep-alive connections from the gateway must outlive its agent's idle timeout.
  server.keepAliveTimeout = 65_000;
  if (options.requestTimeoutMs) server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${hostForUrl}:${port}${graphqlPath}`,
    port,
    server,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish, then are cut so shutdown cannot hang.
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
    },
  };
}
