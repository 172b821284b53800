import type { EmbeddedPostgres } from '../../subgraphs/shared/src/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __embeddedPostgres?: EmbeddedPostgres }).__embeddedPostgres?.stop();
}
