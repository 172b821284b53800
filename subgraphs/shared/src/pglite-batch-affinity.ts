/**
 * PGlite has one backend session. `@electric-sql/pglite-socket` 0.2.17 queues the frontend messages
 * of all connections and keeps one connection's messages together only while a transaction is open.
 * An extended-protocol batch outside a transaction (Parse/Bind/Describe/Execute … Sync: what the `pg`
 * driver sends for every parameterised query) is not a transaction, so two connections querying at
 * the same moment interleave: one's Parse replaces the other's unnamed statement before its Bind
 * ("bind message supplies 3 parameters, but prepared statement requires 2", or wrong rows).
 * Upstream: electric-sql/pglite#1046 and #977.
 *
 * This keeps a connection's batch together until its Sync (or simple Query) has been processed,
 * on top of the existing transaction affinity, and never leaves the queue stuck after an error or a
 * disconnect. It replaces the queue's processing loop on one server instance; the library's own
 * logic is otherwise unchanged. Remove it when the upstream fix ships.
 */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData(data: Uint8Array): void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Message types that open or continue an extended-protocol batch; it ends with Sync. */
const BATCH_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const BATCH_ENDS = new Set(['S', 'Q'].map((c) => c.charCodeAt(0)));

export function keepProtocolBatchesTogether(server: unknown): void {
  const queue = (server as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket internals changed: review subgraphs/shared/src/pglite-batch-affinity.ts');
  }
  let batchOwner: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = this.db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : batchOwner;
        let item: QueuedMessage | undefined;
        if (owner === null) item = this.queue.shift();
        else {
          const index = this.queue.findIndex((q) => q.handlerId === owner);
          // The owner's next message has not arrived yet: wait for it (enqueue restarts the loop).
          if (index === -1) break;
          item = this.queue.splice(index, 1)[0];
        }
        if (!item) break;
        const current = item;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(current.message, {
              onRawData: (data) => {
                bytes += data.length;
                current.onData(data);
              },
            }),
          );
        } catch (error) {
          batchOwner = null;
          current.reject(error);
          continue;
        }
        const type = current.message[0] ?? 0;
        if (BATCH_MESSAGES.has(type)) batchOwner = current.handlerId;
        else if (BATCH_ENDS.has(type)) batchOwner = null;
        this.lastHandlerId = current.handlerId;
        current.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    // A connection that went away mid-batch must not hold the others back.
    if (batchOwner === handlerId) {
      batchOwner = null;
      void queue.processQueue();
    }
  };
}
