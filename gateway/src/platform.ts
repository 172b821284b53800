import type { DestinationStream } from 'pino';
import { envPrefix, type Env } from '../../subgraphs/shared/src/config';
import { loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../subgraphs/shared/src/embedded-postgres';
import { createLogger, type Logger } from '../../subgraphs/shared/src/logger';
import { createSubgraphServer, type RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { SUBGRAPHS } from '../../subgraphs';
import { loadGatewayConfig } from './config';
import { createGateway, type RunningGateway } from './server';

/**
 * Starts the whole platform in one process: the database (embedded unless a URL is configured),
 * the four subgraphs and the gateway, talking real HTTP to each other. `npm start` and the
 * supergraph tests use it; production runs each service as its own process (`src/main.ts`).
 */
export interface PlatformOptions {
  /** Environment-like settings; every service reads its own variables from it. */
  env: Env;
  /** Folder for the embedded database; omitted means an in-memory database. */
  embeddedDataDir?: string;
  /** Load the demo data set into empty databases. */
  seedDemo: boolean;
  /** Use port 0 everywhere (tests) instead of the configured/default ports. */
  ephemeralPorts?: boolean;
  logger?: Logger;
  /** Where every service writes its JSON log lines (default stdout); tests collect them here. */
  logDestination?: DestinationStream;
}

export interface RunningPlatform {
  gateway: RunningGateway;
  subgraphs: RunningSubgraph[];
  databaseUrl: string | null;
  embedded: boolean;
  stop(): Promise<void>;
}

/** True when no database URL is configured for any subgraph, so the embedded database is needed. */
export function needsEmbeddedDatabase(env: Env): boolean {
  if (env.DATABASE_URL) return false;
  return !SUBGRAPHS.every((s) => env[`${envPrefix(s.name)}DATABASE_URL`]);
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const logger = options.logger ?? createLogger('platform', options.env.LOG_LEVEL ?? 'info');
  const env: Env = { ...options.env };
  const stack: { name: string; stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const item of stack.reverse()) {
      const started = Date.now();
      await item.stop().catch((error) => logger.error({ err: error }, 'stop failed'));
      logger.debug({ service: item.name, ms: Date.now() - started }, 'stopped');
    }
    stack.length = 0;
  };

  try {
    let embedded: EmbeddedPostgres | null = null;
    if (needsEmbeddedDatabase(env)) {
      const started = Date.now();
      embedded = await startEmbeddedPostgres({ dataDir: options.embeddedDataDir });
      stack.push({ name: 'embedded-postgres', stop: embedded.stop });
      env.DATABASE_URL = embedded.url;
      // PGlite is one backend: a small pool per service is all it can use.
      env.DATABASE_POOL_MAX ??= '4';
      logger.info({ ms: Date.now() - started, dataDir: options.embeddedDataDir ?? 'memory' }, 'embedded PostgreSQL (PGlite) started');
    }

    const subgraphs: RunningSubgraph[] = [];
    // Filled as subgraphs come up; relays look consumers up at delivery time, so order does not matter.
    const consumerUrls = new Map<string, string>();
    for (const definition of SUBGRAPHS) {
      const config = loadSubgraphConfig(definition.name, definition.defaultPort, env);
      if (options.ephemeralPorts) config.port = 0;
      const running = await createSubgraphServer(definition, config, {
        logger: createLogger(definition.name, config.logLevel, options.logDestination),
        consumerUrl: (consumer) => consumerUrls.get(consumer) ?? config.subgraphUrls[consumer],
      });
      stack.push(running);
      subgraphs.push(running);
      consumerUrls.set(definition.name, running.url);
      if (options.seedDemo) {
        const seeded = await definition.seedDemo(running.db, buildDemoDataset());
        if (seeded) logger.info({ service: definition.name }, 'demo data loaded');
      }
    }

    const gatewayConfig = loadGatewayConfig({
      ...env,
      SUBGRAPH_URLS: subgraphs.map((s) => `${s.name}=${s.url}`).join(','),
      ...(options.ephemeralPorts ? { PORT: '0' } : {}),
    });
    const gateway = await createGateway(gatewayConfig, { logger: createLogger('gateway', gatewayConfig.logLevel, options.logDestination) });
    stack.push({ name: 'gateway', stop: gateway.stop });

    return { gateway, subgraphs, databaseUrl: embedded ? null : (env.DATABASE_URL ?? null), embedded: embedded !== null, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
