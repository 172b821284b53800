import type { Knex } from 'knex';

/**
 * Counts the SQL statements the given knex instances run while `work` runs, to prove lookups are
 * batched (a page of 100 costs the same number of statements as a page of 10).
 */
export async function countQueries<T>(knexes: Knex[], work: () => Promise<T>): Promise<{ result: T; count: number; sql: string[] }> {
  const sql: string[] = [];
  const listener = (query: { sql: string }) => sql.push(query.sql);
  for (const knex of knexes) knex.on('query', listener);
  try {
    const result = await work();
    return { result, count: sql.length, sql };
  } finally {
    for (const knex of knexes) knex.removeListener('query', listener);
  }
}
