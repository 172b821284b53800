import type { Knex } from 'knex';
import type { Db } from './db';

/**
 * The reader's half of a rollup kept current by "dirty" marks (writers insert the keys they touched
 * and hold those rows until they commit): take up to `chunk` marks that nobody else holds
 * (`skip locked`, so concurrent readers share the work instead of queueing, and a mark of a write
 * still in flight is left for later), delete them and recount their keys in the same transaction,
 * and repeat until no mark is left. Each chunk is its own transaction, so after a bulk load every
 * chunk that finished stays done even if the first request runs out of time.
 */
export async function drainDirtyMarks(
  db: Db,
  options: { table: string; column: string; chunk: number; recount: (trx: Knex.Transaction, keys: string[]) => Promise<unknown> },
): Promise<void> {
  const { table, column, chunk, recount } = options;
  for (;;) {
    const done = await db.knex.transaction(async (trx) => {
      const rows = (
        await trx.raw(`delete from ?? where ?? in (select ?? from ?? order by ?? limit ? for update skip locked) returning ??`, [
          db.t(table),
          column,
          column,
          db.t(table),
          column,
          chunk,
          column,
        ])
      ).rows as Record<string, string>[];
      if (rows.length === 0) return true;
      await recount(
        trx,
        rows.map((r) => r[column] as string),
      );
      return false;
    });
    if (done) return;
  }
}
