import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { commonApolloOptions } from '../../subgraphs/shared/src/apollo-options';
import { requestIdOf, sendJson, startHttpServer, type RunningHttpServer } from '../../subgraphs/shared/src/http-server';
import { signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import { createLogger, type Logger } from '../../subgraphs/shared/src/logger';
import { metricsAndLoggingPlugin, metricsRoute } from '../../subgraphs/shared/src/metrics';
import { currentTraceContext, type TraceContext } from '../../subgraphs/shared/src/tracing';
import { ResilientSubgraphDataSource } from './resilient-data-source';
import { createBearerVerifier } from './auth';
import { watchAccountStatus } from './account-status';
import { createIdempotencyStore, idempotencyPlugin } from './idempotency';
import { createRateLimiter, operationLimitProtection } from './limits';
import { createRequestPreparer } from './trusted-documents';
import { PLAYGROUND_PATH, playgroundRoutes } from './playground';
import { dashboardRoutes } from './dashboard';
import { uploadRoutes } from './upload-route';
import type { GatewayConfig } from './config';
import { supergraphFromFile } from './supergraph';

export interface GatewayContext {
  viewer: Viewer;
  /** The verified viewer, signed for the subgraphs; one signature serves every fetch of the operation. */
  identityHeader: string;
  requestId: string;
  /** The request's trace context when tracing is on: subgraph fetch spans are its children. */
  traceContext?: TraceContext;
  /** Digest of account and Idempotency-Key of a claimed mutation, forwarded to the subgraphs. */
  idempotencyKey?: string;
}

export type RunningGateway = RunningHttpServer;

export async function createGateway(config: GatewayConfig, options: { logger?: Logger } = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway', config.logLevel);
  const routingUrl = (name: string, url: string | undefined) => config.subgraphUrls[name] ?? url ?? '';

  const supergraph = supergraphFromFile(config.supergraphFile, config.supergraphPollIntervalMs, logger);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) => new ResilientSubgraphDataSource(name, routingUrl(name, url), config.subgraphFaults, logger),
    logger,
  });

  const protection = operationLimitProtection(config.limits);
  const idempotency = createIdempotencyStore({ redisUrl: config.rateLimits.redisUrl, ttlSeconds: config.idempotencyTtlSeconds }, logger);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    ...commonApolloOptions(logger),
    // Batched HTTP requests would multiply every per-request limit; CSRF prevention stays on (default).
    allowBatchedHttpRequests: false,
    persistedQueries: config.apq ? {} : false,
    validationRules: protection.validationRules,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...protection.plugins, idempotencyPlugin(idempotency), metricsAndLoggingPlugin('gateway', logger, 'info')],
  });
  await apollo.start();

  const verifyToken = createBearerVerifier(config.jwt);
  const currentRegistryUrl = () => {
    const url = supergraph.subgraphUrls()['teacher-registry'];
    return url === undefined && !config.subgraphUrls['teacher-registry'] ? undefined : routingUrl('teacher-registry', url);
  };
  const accountStatus = watchAccountStatus({
    registryUrl: currentRegistryUrl,
    secret: config.internalIdentitySecret,
    refreshMs: config.accountStatusRefreshMs,
    logger,
    requireAccount: config.requireAccount,
  });
  // A valid token of a disabled account (or, with REQUIRE_ACCOUNT, of no account) is refused like an
  // invalid one (see account-status.ts for the delay).
  const verifyBearer = async (authorization: string | undefined) => {
    const viewer = await verifyToken(authorization);
    await accountStatus.check(viewer);
    return viewer;
  };
  // One verification per HTTP request, shared by the request preparer and the context.
  const viewers = new WeakMap<IncomingMessage, Promise<Viewer>>();
  const viewerOf = (req: IncomingMessage) => {
    let viewer = viewers.get(req);
    if (!viewer) {
      viewer = verifyBearer(req.headers.authorization);
      viewers.set(req, viewer);
    }
    return viewer;
  };
  const prepareRequest = createRequestPreparer({
    clientsFile: config.partnerClientsFile,
    manifestFile: config.operationManifestFile,
    enforceRegisteredOperations: config.enforceRegisteredOperations,
    viewerOf,
  });
  const rateLimiter = createRateLimiter(config.rateLimits, logger);
  await rateLimiter.ready();
  // One signed identity per verified token, reused while it has more life left than a request can
  // take (default: 25 of its 60 s); subgraphs then also find it in their verification cache.
  const signedIdentities = new WeakMap<Viewer, { header: string; reuseUntil: number }>();
  const reuseMs = config.internalIdentityTtlSeconds * 1000 - config.requestTimeoutMs - 5000;
  const identityFor = async (viewer: Viewer): Promise<string> => {
    const now = Date.now();
    const cached = signedIdentities.get(viewer);
    if (cached && cached.reuseUntil > now) return cached.header;
    const header = await signInternalIdentity(viewer, config.internalIdentitySecret, config.internalIdentityTtlSeconds);
    if (reuseMs > 0) signedIdentities.set(viewer, { header, reuseUntil: now + reuseMs });
    return header;
  };
  const context = async ({ req }: { req: IncomingMessage }): Promise<GatewayContext> => {
    const viewer = await viewerOf(req);
    await rateLimiter.consume(viewer);
    const identityHeader = await identityFor(viewer);
    return { viewer, identityHeader, requestId: requestIdOf(req), traceContext: currentTraceContext() };
  };

  // /ready asks the subgraphs of the supergraph being served, at the addresses actually routed to.
  const currentSubgraphUrls = () =>
    Object.fromEntries(Object.entries(supergraph.subgraphUrls()).map(([name, url]) => [name, routingUrl(name, url)]));

  let http: RunningHttpServer;
  try {
    http = await startHttpServer({
      host: config.host,
      port: config.port,
      apollo,
      context,
      maxBodyBytes: config.maxBodyBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      prepareRequest,
      serviceName: 'gateway',
      routes: {
        '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }),
        '/metrics': metricsRoute,
        ...dashboardRoutes(config),
        // Import files bigger than a GraphQL body, streamed to the registry (upload-route.ts).
        ...uploadRoutes({ maxBytes: config.uploadMaxBytes, viewerOf, consumeRateLimit: (viewer) => rateLimiter.consume(viewer), identityFor, registryUrl: currentRegistryUrl, logger }),
        ...(config.playground
          ? {
              ...playgroundRoutes(config),
              '/': (_req, res) => {
                res.writeHead(302, { location: PLAYGROUND_PATH });
                res.end();
              },
            }
          : {}),
        '/ready': async (_req, res) => {
          const subgraphs = await checkSubgraphs(currentSubgraphUrls());
          const ready = Object.values(subgraphs).every((s) => s === 'ok');
          sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', subgraphs });
        },
      },
    });
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  logger.info({ url: http.url }, 'gateway listening');
  return {
    ...http,
    async stop() {
      accountStatus.stop();
      await http.stop();
      await apollo.stop();
      await rateLimiter.close();
      await idempotency.close();
    },
  };
}

/** Asks each subgraph's /health (which checks its database) with a short timeout. */
async function checkSubgraphs(urls: Record<string, string>): Promise<Record<string, 'ok' | 'unavailable'>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const healthUrl = new URL('/health', url).toString();
      try {
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
        return [name, response.ok ? 'ok' : 'unavailable'] as const;
      } catch {
        return [name, 'unavailable'] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
