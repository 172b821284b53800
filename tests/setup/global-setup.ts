import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../subgraphs/shared/src/embedded-postgres';

/**
 * `npm test` needs no setup: without TEST_DATABASE_URL the suite runs on an in-memory embedded
 * PostgreSQL (PGlite) started once here and shared by the workers, which inherit the URL.
 * Every test file works in schemas of its own, so files never see each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.stdout.write(`\nTests run against PostgreSQL at TEST_DATABASE_URL\n`);
    return;
  }
  const embedded = await startEmbeddedPostgres();
  (globalThis as { __embeddedPostgres?: EmbeddedPostgres }).__embeddedPostgres = embedded;
  process.env.TEST_DATABASE_URL = embedded.url;
  // Tests that need a real server (killing backends, restarts) skip themselves on the embedded one.
  process.env.TEST_DATABASE_EMBEDDED = 'true';
  process.stdout.write(`\nTests run against embedded PostgreSQL (PGlite)\n`);
}
