import { createDb } from '../../subgraphs/shared/src/db';
import { startOutboxRelay } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { runUntilSignalled } from '../../subgraphs/shared/src/process';

/**
 * An outbox relay as a process of its own, for the relay-kill test: the test SIGKILLs it in the
 * middle of a batch and starts another. Reads DATABASE_URL, DATABASE_SCHEMA, SOURCE,
 * CONSUMER_URLS (name=url,…), LEASE_SECONDS and INTERNAL_IDENTITY_SECRET.
 */
const env = process.env;
const consumers = new Map((env.CONSUMER_URLS ?? '').split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
const logger = createLogger('relay-worker', env.LOG_LEVEL ?? 'silent');

runUntilSignalled(async () => {
  const db = createDb({ url: env.DATABASE_URL!, schema: env.DATABASE_SCHEMA!, poolMax: 2, statementTimeoutMs: 15000, applicationName: 'relay-worker' });
  const relay = startOutboxRelay({
    db,
    source: env.SOURCE!,
    secret: env.INTERNAL_IDENTITY_SECRET!,
    logger,
    consumerUrl: (name) => consumers.get(name),
    intervalMs: 100,
    leaseSeconds: Number(env.LEASE_SECONDS ?? 30),
  });
  // The relay's timer is unref'd (it must not keep a service alive); here it is all there is.
  const keepAlive = setInterval(() => undefined, 60_000);
  process.stdout.write('relay started\n');
  return {
    async stop() {
      clearInterval(keepAlive);
      await relay.stop();
      await db.destroy();
    },
  };
}, logger);
