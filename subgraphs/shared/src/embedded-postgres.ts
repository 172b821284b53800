import { mkdirSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL without installing PostgreSQL: PGlite (PostgreSQL compiled to WebAssembly) behind a
 * small wire-protocol server, so services connect with the ordinary `pg` driver exactly as they
 * would to a real server: one database code path.
 *
 * PGlite is one backend. This server multiplexes many client connections onto it, and does so at
 * the granularity the protocol needs rather than per message (which is what
 * @electric-sql/pglite-socket does, and which lets one connection's Parse and another's Bind
 * interleave under load: "bind message supplies 1 parameters, but prepared statement requires 2"):
 *  - a unit of work is a whole request: everything up to Sync (extended protocol) or one simple
 *    Query, run in one go;
 *  - while a transaction is open, only the connection that opened it runs; the others wait;
 *  - a connection that goes away inside a transaction has it rolled back, so nobody waits forever.
 * Session settings are still shared by all connections: services use schema-qualified names.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TYPE_SYNC = 0x53; // 'S'
const TYPE_QUERY = 0x51; // 'Q'
const TYPE_FLUSH = 0x48; // 'H'
const TYPE_TERMINATE = 0x58; // 'X'

interface Job {
  connection: number;
  bytes: Uint8Array;
  write: (data: Uint8Array) => void;
  done: (error?: unknown) => void;
}

/** Runs jobs one at a time on the single backend, honouring transaction ownership. */
class SerialExecutor {
  private readonly queue: Job[] = [];
  private running = false;
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  submit(connection: number, bytes: Uint8Array, write: (data: Uint8Array) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ connection, bytes, write, done: (error) => (error ? reject(error) : resolve()) });
      void this.pump();
    });
  }

  /** A connection closed: drop its queued work and roll back a transaction it left open. */
  async release(connection: number): Promise<void> {
    for (let i = this.queue.length - 1; i >= 0; i -= 1) {
      const job = this.queue[i] as Job;
      if (job.connection === connection) {
        this.queue.splice(i, 1);
        job.done(new Error('connection closed'));
      }
    }
    if (this.owner === connection) {
      await this.db.runExclusive(async () => {
        if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      });
      this.owner = null;
    }
    void this.pump();
  }

  private next(): Job | undefined {
    if (this.owner === null) return this.queue.shift();
    const index = this.queue.findIndex((job) => job.connection === this.owner);
    return index === -1 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.next(); job; job = this.next()) {
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(job!.bytes, { onRawData: job!.write }));
          this.owner = this.db.isInTransaction() ? job.connection : null;
          job.done();
        } catch (error) {
          job.done(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

function serveConnection(socket: Socket, connection: number, executor: SerialExecutor): void {
  socket.setNoDelay(true);
  let buffer: Buffer = Buffer.alloc(0);
  let started = false;
  let pending: Buffer[] = [];
  // Chunks of one connection are handled strictly in order.
  let chain: Promise<void> = Promise.resolve();
  const write = (data: Uint8Array) => {
    if (data.length > 0 && socket.writable) socket.write(data);
  };

  async function handle(chunk: Buffer): Promise<void> {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : Buffer.from(chunk);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
          socket.write('N'); // no encryption on a loopback socket
          buffer = buffer.subarray(8);
          continue;
        }
        if (length === 16 && code === CANCEL_REQUEST) {
          socket.end(); // one backend: nothing to cancel
          return;
        }
        if (buffer.length < length) return;
        const startup = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        started = true;
        await executor.submit(connection, startup, write);
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const type = buffer[0];
      const message = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      if (type === TYPE_TERMINATE) {
        socket.end();
        return;
      }
      pending.push(message);
      if (type === TYPE_SYNC || type === TYPE_QUERY || type === TYPE_FLUSH) {
        const request = pending.length === 1 ? message : Buffer.concat(pending);
        pending = [];
        await executor.submit(connection, request, write);
      }
    }
  }

  socket.on('data', (chunk: Buffer) => {
    chain = chain.then(() => handle(chunk)).catch(() => {
      socket.destroy();
    });
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    void chain.finally(() => executor.release(connection));
  });
}

export async function startEmbeddedPostgres(options: { dataDir?: string } = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const executor = new SerialExecutor(db);
  const sockets = new Set<Socket>();
  let nextConnection = 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, nextConnection++, executor);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await db.close();
    },
  };
}
