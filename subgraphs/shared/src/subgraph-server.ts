import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type DocumentNode } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { IRules } from 'graphql-shield';
import { exitOnConfigError, type SubgraphConfig } from './config';
import { runUntilSignalled } from './process';
import { createDb, migrateLatest, type Db, type SchemaMigration } from './db';
import type { DemoDataset } from './demo/dataset';
import { commonApolloOptions } from './apollo-options';
import { eventIntakeRoute, EVENTS_PATH, startOutboxRelay, type EventHandlers, type OutboxRelay } from './events';
import { unauthenticated } from './errors';
import { requestIdOf, startHttpServer, sendJson, type RunningHttpServer } from './http-server';
import { createInternalIdentityVerifier, INTERNAL_IDENTITY_HEADER, type Viewer } from './identity';
import { createLogger, type Logger } from './logger';
import { metricsAndLoggingPlugin, metricsRoute, watchDatabase } from './metrics';
import { federationRules, mergeRules, shieldMiddleware, shieldOptions } from './permissions';
import { startTracing, traceDatabase, tracingSettingsFromEnv } from './tracing';
import { auditDeniedReads, auditMiddleware } from './audit-context';
import { auditTrailWiring } from './audit-trail';
import { startAuditRetention } from './audit-retention';
import { startIdempotencyPurge } from './idempotency-record';
import type { Route } from './http-server';

/** What every request of every subgraph carries. `loaders` is built fresh per request. */
export interface SubgraphContext<TLoaders> {
  viewer: Viewer;
  db: Db;
  loaders: TLoaders;
  logger: Logger;
  requestId: string;
}

/**
 * The one shape of a subgraph, exported by `subgraphs/<name>/src/index.ts`. Tests compose these
 * in-process; the gateway's launcher starts them; nothing else about a subgraph is special.
 */
export interface SubgraphDefinition<TLoaders = unknown> {
  name: string;
  defaultPort: number;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>>;
  permissions: IRules;
  migrations: readonly SchemaMigration[];
  createLoaders(db: Db, viewer: Viewer): TLoaders;
  /** Loads this subgraph's share of the demo data set; must do nothing when data already exists. */
  seedDemo(db: Db, dataset: DemoDataset): Promise<boolean>;
  /** Events this subgraph consumes (see events.ts); applied exactly once each. */
  eventHandlers?: EventHandlers;
  /** Extra plain HTTP routes for platform services (e.g. the registry's disabled-account list). */
  internalRoutes?: (options: { db: Db; secret: string; logger: Logger }) => Record<string, Route>;
  /** Waits for work this subgraph runs after answering (e.g. the registry's import jobs), at shutdown, before the pool closes. */
  settleBackgroundWork?: () => Promise<void>;
}

export interface RunningSubgraph extends RunningHttpServer {
  name: string;
  db: Db;
  /** Delivers this subgraph's outbox; tests call `relay.flush()` instead of waiting for the timer. */
  relay: OutboxRelay;
}

export function buildSubgraphExecutableSchema<T>(definition: SubgraphDefinition<T>) {
  // The auditor's trail types are wired here for every subgraph that declares them (audit-trail.ts).
  const bare = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }]);
  const audit = auditTrailWiring(bare, definition.name);
  const resolvers: Record<string, unknown> = { ...(definition.resolvers as Record<string, unknown>) };
  for (const [type, fields] of Object.entries(audit.resolvers)) resolvers[type] = { ...(resolvers[type] as object | undefined), ...fields };
  const schema = Object.keys(audit.resolvers).length
    ? buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }])
    : bare;
  // The audit middleware goes outside shield, so a denied write is recorded as refused too.
  const options = { ...shieldOptions, fallbackError: auditDeniedReads(shieldOptions.fallbackError) };
  return applyMiddleware(schema, auditMiddleware, shieldMiddleware(schema, mergeRules(federationRules, audit.rules, definition.permissions), options));
}

export async function createSubgraphServer<T>(
  definition: SubgraphDefinition<T>,
  config: SubgraphConfig,
  options: {
    logger?: Logger;
    /** Where consumers of this subgraph's events live; defaults to config.subgraphUrls. */
    consumerUrl?: (consumer: string) => string | undefined;
  } = {},
): Promise<RunningSubgraph> {
  const logger = options.logger ?? createLogger(definition.name, config.logLevel);
  const db = createDb({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    poolMax: config.databasePoolMax,
    statementTimeoutMs: config.statementTimeoutMs,
    applicationName: config.databaseApplicationName,
  });
  traceDatabase(db.knex, definition.name);
  try {
    if (config.migrateOnStart) {
      const applied = await migrateLatest(db, definition.migrations);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const verifyIdentity = createInternalIdentityVerifier(config.internalIdentitySecret);
  const apollo = new ApolloServer<SubgraphContext<T>>({
    schema: buildSubgraphExecutableSchema(definition),
    introspection: config.nodeEnv !== 'production',
    ...commonApolloOptions(logger),
    // Inline traces cost time on every request and reveal resolver timings; metrics come separately.
    // Cache control is on by default and wraps every field's resolver to collect cache hints (a
    // willResolveField hook per field); no subgraph sets hints and nothing reads the header.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      metricsAndLoggingPlugin(definition.name, logger, 'debug'),
    ],
  });
  await apollo.start();

  const context = async ({ req }: { req: IncomingMessage }): Promise<SubgraphContext<T>> => {
    const header = req.headers[INTERNAL_IDENTITY_HEADER];
    let viewer: Viewer;
    try {
      viewer = await verifyIdentity(Array.isArray(header) ? header[0] : header);
    } catch {
      // Only the gateway can sign this header: a direct call, a forged or an expired one ends here.
      throw unauthenticated('This service only answers requests signed by the gateway.');
    }
    const requestId = requestIdOf(req);
    return { viewer, db, loaders: definition.createLoaders(db, viewer), logger: logger.child({ requestId }), requestId };
  };

  let http: RunningHttpServer;
  let idempotencyTable: string | undefined;
  try {
    // A subgraph without the idempotency_record migration (an older scaffold) simply skips the record.
    idempotencyTable = (await db.knex.raw('select to_regclass(?) as t', [db.t('idempotency_record')])).rows[0]?.t ? db.t('idempotency_record') : undefined;
    http = await startHttpServer({
      host: config.host,
      port: config.port,
      apollo,
      context,
      idempotencyTable,
      serviceName: definition.name,
      routes: {
        '/metrics': metricsRoute,
        [EVENTS_PATH]: eventIntakeRoute({ db, handlers: definition.eventHandlers ?? {}, secret: config.internalIdentitySecret, logger }),
        ...(definition.internalRoutes?.({ db, secret: config.internalIdentitySecret, logger }) ?? {}),
        '/health': async (_req, res) => {
          try {
            await db.knex.raw('select 1');
            sendJson(res, 200, { status: 'ok', service: definition.name });
          } catch {
            sendJson(res, 503, { status: 'unavailable', service: definition.name, reason: 'database unreachable' });
          }
        },
      },
    });
  } catch (error) {
    await apollo.stop();
    await db.destroy();
    throw error;
  }
  logger.info({ url: http.url }, 'subgraph listening');

  const unwatch = watchDatabase(definition.name, db, { outbox: true });
  const relay = startOutboxRelay({
    db,
    source: definition.name,
    secret: config.internalIdentitySecret,
    logger,
    consumerUrl: options.consumerUrl ?? ((consumer) => config.subgraphUrls[consumer]),
    intervalMs: config.eventRelayIntervalMs,
  });

  const retention = startAuditRetention({ db, retentionDays: config.auditRetentionDays, intervalMs: config.auditPurgeIntervalMs, logger });
  const idempotencyPurge = idempotencyTable
    ? startIdempotencyPurge({ knex: db.knex, table: idempotencyTable, onError: (error) => logger.warn({ err: error }, 'idempotency record purge failed; will retry') })
    : null;

  return {
    ...http,
    name: definition.name,
    db,
    relay,
    async stop() {
      unwatch();
      await retention.stop();
      await idempotencyPurge?.stop();
      await relay.stop();
      await http.stop();
      // No new requests arrive now; work that outlived its request still needs the pool.
      await definition.settleBackgroundWork?.();
      await apollo.stop();
      await db.destroy();
    },
  };
}

/**
 * Entry point of a subgraph running as its own process: validate config (exit 78 with every
 * problem listed), start, and close server and pool on SIGTERM/SIGINT.
 */
export function runSubgraphProcess<T>(definition: SubgraphDefinition<T>, loadConfig: () => SubgraphConfig): void {
  let config: SubgraphConfig;
  let tracingSettings: ReturnType<typeof tracingSettingsFromEnv>;
  try {
    config = loadConfig();
    tracingSettings = tracingSettingsFromEnv(definition.name, process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const logger = createLogger(definition.name, config.logLevel);
  runUntilSignalled(async () => {
    // Before the server exists, so its database and HTTP hooks see tracing on.
    const tracing = startTracing(tracingSettings);
    const server = await createSubgraphServer(definition, config, { logger });
    return {
      async stop() {
        await server.stop();
        await tracing.shutdown();
      },
    };
  }, logger);
}

/** The audit trail's shared SDL (AuditResult, AuditEntry, AuditTrailPart), for subgraphs that contribute a trail part. */
export const AUDIT_TRAIL_SDL = join(__dirname, 'audit-trail.graphql');

/** Reads a subgraph's SDL file (`subgraphs/<name>/schema.graphql`), plus shared SDL files it builds on. */
export function loadTypeDefs(schemaFile: string, ...sharedFiles: string[]): DocumentNode {
  return parse([schemaFile, ...sharedFiles].map((file) => readFileSync(file, 'utf8')).join('\n'));
}
