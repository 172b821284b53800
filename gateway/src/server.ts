import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { commonApolloOptions } from '../../subgraphs/shared/src/apollo-options';
import { requestIdOf, sendJson, startHttpServer, type RunningHttpServer } from '../../subgraphs/shared/src/http-server';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import { createLogger, type Logger } from '../../subgraphs/shared/src/logger';
import { metricsAndLoggingPlugin, metricsRoute, subgraphFetchDuration, subgraphFetchErrors } from '../../subgraphs/shared/src/metrics';
import { createBearerVerifier } from './auth';
import { createRateLimiter, operationLimitProtection } from './limits';
import { createRequestPreparer } from './trusted-documents';
import { PLAYGROUND_PATH, playgroundRoutes } from './playground';
import type { GatewayConfig } from './config';
import { subgraphUrlsOf, supergraphFromFile } from './supergraph';

export interface GatewayContext {
  viewer: Viewer;
  /** The verified viewer, signed for the subgraphs; one signature serves every fetch of the operation. */
  identityHeader: string;
  requestId: string;
}

/** Adds the signed viewer and the request id to every subgraph fetch, and times each fetch. */
class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(private readonly subgraph: string, url: string) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('identityHeader' in context) || !context.identityHeader) return;
    request.http?.headers.set(INTERNAL_IDENTITY_HEADER, context.identityHeader);
    request.http?.headers.set('x-request-id', context.requestId);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const endTimer = subgraphFetchDuration.startTimer({ subgraph: this.subgraph });
    try {
      const response = await super.process(options);
      endTimer({ outcome: response.errors?.length ? 'graphql_error' : 'ok' });
      return response;
    } catch (error) {
      endTimer({ outcome: 'failed' });
      subgraphFetchErrors.inc({ subgraph: this.subgraph });
      throw error;
    }
  }
}

export interface RunningGateway extends RunningHttpServer {
  /** Subgraph name → the URL the gateway routes to. */
  subgraphUrls: Record<string, string>;
}

export async function createGateway(config: GatewayConfig, options: { logger?: Logger } = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway', config.logLevel);
  const routingUrl = (name: string, url: string | undefined) => config.subgraphUrls[name] ?? url ?? '';

  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.supergraphFile, config.supergraphPollIntervalMs, logger),
    buildService: ({ name, url }) => new IdentityForwardingDataSource(name, routingUrl(name, url)),
    logger,
  });

  const protection = operationLimitProtection(config.limits);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    ...commonApolloOptions(logger),
    // Batched HTTP requests would multiply every per-request limit; CSRF prevention stays on (default).
    allowBatchedHttpRequests: false,
    persistedQueries: config.apq ? {} : false,
    validationRules: protection.validationRules,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...protection.plugins, metricsAndLoggingPlugin('gateway', logger, 'info')],
  });
  await apollo.start();

  const verifyBearer = createBearerVerifier(config.jwt);
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
  const context = async ({ req }: { req: IncomingMessage }): Promise<GatewayContext> => {
    const viewer = await viewerOf(req);
    await rateLimiter.consume(viewer);
    const identityHeader = await signInternalIdentity(viewer, config.internalIdentitySecret, config.internalIdentityTtlSeconds);
    return { viewer, identityHeader, requestId: requestIdOf(req) };
  };

  const currentSubgraphUrls = () => {
    const fromFile = subgraphUrlsOf(readFileSync(config.supergraphFile, 'utf8'));
    return Object.fromEntries(Object.entries(fromFile).map(([name, url]) => [name, routingUrl(name, url)]));
  };

  let http: RunningHttpServer;
  try {
    http = await startHttpServer({
      host: config.host,
      port: config.port,
      apollo,
      context,
      maxBodyBytes: config.maxBodyBytes,
      prepareRequest,
      routes: {
        '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }),
        '/metrics': metricsRoute,
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
    subgraphUrls: currentSubgraphUrls(),
    async stop() {
      await http.stop();
      await apollo.stop();
      await rateLimiter.close();
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
