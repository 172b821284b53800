import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../subgraphs/shared/src/db';

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global setup provides it)');
  return url;
}

/** True when the suite runs on the embedded PGlite (one session: no second connection at once, no server to kill). */
export const usesEmbeddedDatabase = (): boolean => process.env.TEST_DATABASE_EMBEDDED === 'true';

/** describe() for tests that need a real PostgreSQL server (two sessions at once); skipped on PGlite. */
export const describeOnPostgres: jest.Describe = usesEmbeddedDatabase() ? describe.skip : describe;

/** A schema-name suffix unique to this test file run, so parallel files and reruns never collide. */
export function uniqueSuffix(): string {
  return `t${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(3).toString('hex')}`;
}

export function testDb(schema: string): Db {
  return createDb({ url: testDatabaseUrl(), schema, poolMax: 4, statementTimeoutMs: 15000, applicationName: 'tests' });
}
