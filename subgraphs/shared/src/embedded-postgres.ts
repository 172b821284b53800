import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepProtocolBatchesTogether } from './pglite-batch-affinity';

/**
 * PostgreSQL without installing PostgreSQL: PGlite (PostgreSQL compiled to WebAssembly) behind its
 * wire-protocol socket server. Services then connect with the ordinary `pg` driver, exactly as they
 * would to a real server, so there is one database code path.
 *
 * PGlite runs one backend: the socket server multiplexes connections and keeps a transaction's
 * statements together, but session settings (search_path, SET) are shared by everyone. The
 * services therefore always use schema-qualified names.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: { dataDir?: string; maxConnections?: number } = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? 100 });
  // Concurrent connections must not interleave their extended-protocol batches (see the module).
  keepProtocolBatchesTogether(server);
  await server.start();
  // The socket server does not expose its bound port; read it from the underlying net.Server.
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
