import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { exitOnConfigError } from '../../subgraphs/shared/src/config';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { runUntilSignalled } from '../../subgraphs/shared/src/process';
import { startTracing } from '../../subgraphs/shared/src/tracing';
import { loadGatewayConfig, type GatewayConfig } from './config';

/**
 * Process entry when the gateway runs on its own: `tsx gateway/src/main.ts`. With
 * GATEWAY_WORKERS=n (n > 1) this process becomes a small supervisor that forks n gateway workers
 * sharing the port (node:cluster): a gateway is one JavaScript thread, so one worker per core uses
 * the machine. Rate limits and idempotency keys are shared through REDIS_URL (required then).
 */
let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (error) {
  exitOnConfigError(error);
}
const logger = createLogger('gateway', config.logLevel);

if (config.workers > 1 && cluster.isPrimary) {
  supervise(config.workers);
} else {
  limitHeapGrowth(config.heapGrowthPercent);
  runUntilSignalled(async () => {
    // Before the gateway is built, so its hooks see tracing on.
    const tracing = startTracing(config.tracing);
    // Loaded here, not at the top: the supervisor of a multi-worker gateway never serves, so it
    // stays a small process instead of holding Apollo, the planner and the schema.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createGateway } = require('./server') as typeof import('./server');
    const gateway = await createGateway(config, { logger });
    return {
      async stop() {
        await gateway.stop();
        await tracing.shutdown();
      },
    };
  }, logger);
}

function supervise(workers: number): void {
  let stopping = false;
  const startedAt = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
  };
  for (let i = 0; i < workers; i += 1) fork();
  logger.info({ workers }, 'gateway supervisor started');

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(); // keeps an exit code set below
      return;
    }
    // A worker that dies at once (bad configuration, port taken) would only die again.
    if (code === 78 || Date.now() - (startedAt.get(worker.id) ?? 0) < 5000) {
      logger.fatal({ code, signal }, 'gateway worker failed while starting; stopping');
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = code === 78 ? 78 : 1;
      return;
    }
    logger.error({ code, signal, pid: worker.process.pid }, 'gateway worker died; starting another');
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down gateway workers');
    const alive = Object.values(cluster.workers ?? {});
    if (alive.length === 0) process.exit(0);
    for (const worker of alive) worker?.process.kill('SIGTERM');
    // Workers stop in order (HTTP, Apollo, stores); do not wait for ever.
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * A busy gateway allocates fast and most of it dies young but not young enough: objects of the
 * requests in flight outlive a scavenge and are promoted, so garbage piles up in the old
 * generation. On a machine with gigabytes of memory V8 lets the old generation grow to up to four
 * times the live data before a full collection; under load one worker's resident memory then swung
 * between 200 and 380 MB around about 70 MB of live data (docs/benchmarks.md, "Gateway"). V8 reads
 * its growing factor at every collection, so setting it here, in the serving process, applies without
 * restarting Node with flags; the cost is more frequent (and smaller) full collections.
 */
function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
