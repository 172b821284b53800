import { resolve } from 'node:path';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { runUntilSignalled } from '../../subgraphs/shared/src/process';
import { startTracing, tracingSettingsFromEnv } from '../../subgraphs/shared/src/tracing';
import { REPO_ROOT } from '../src/config';
import { loadOrCreateDevSecrets } from '../src/dev-secrets';
import { startPlatform } from '../src/platform';

/**
 * `npm start`: the whole platform on one machine. With no configuration it runs on embedded
 * PostgreSQL persisted in ./.data and loads the demo data on first start; Ctrl-C stops it cleanly.
 */
const env = { ...process.env };
const dataDir = resolve(env.DATA_DIR ?? resolve(REPO_ROOT, '.data'));
if (env.NODE_ENV !== 'production' && !env.JWT_SECRET && !env.JWT_PUBLIC_KEY && !env.INTERNAL_IDENTITY_SECRET) {
  const secrets = loadOrCreateDevSecrets(dataDir);
  env.JWT_SECRET = secrets.jwtSecret;
  env.INTERNAL_IDENTITY_SECRET = secrets.internalIdentitySecret;
}
const logger = createLogger('platform', env.LOG_LEVEL ?? 'info');

runUntilSignalled(async () => {
  const started = Date.now();
  // One process, one tracer provider: spans carry the service that made them (OTEL_* variables).
  const tracing = startTracing(tracingSettingsFromEnv('teacher-platform', env));
  const platform = await startPlatform({
    env,
    embeddedDataDir: resolve(dataDir, 'pglite'),
    seedDemo: env.DEMO_DATA !== 'false',
    logger,
  });
  const memoryMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  process.stdout.write(
    [
      '',
      `Teacher platform ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${memoryMb} MB resident)`,
      `  GraphQL gateway: ${platform.gateway.url}`,
      `  playground:      ${new URL('/playground', platform.gateway.url).toString()}`,
      `  database:        ${platform.embedded ? `embedded PostgreSQL (PGlite) in ${resolve(dataDir, 'pglite')}` : 'PostgreSQL from DATABASE_URL'}`,
      `  get a token:     npm run token -- --role county_info_admin --org 420111`,
      '  stop:            Ctrl-C',
      '',
    ].join('\n'),
  );
  return {
    async stop() {
      await platform.stop();
      await tracing.shutdown();
    },
  };
}, logger);
