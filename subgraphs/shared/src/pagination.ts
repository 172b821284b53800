import { badUserInput } from './errors';

/** Relay-style cursor pagination with keyset cursors (stable under inserts, no OFFSET scans). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export function pageSize(args: PageArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`k:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor == null) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('k:')) throw badUserInput('after', 'is not a cursor returned by this API');
  return decoded.slice(2);
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

/** Builds a connection from `limit + 1` rows fetched after the cursor. */
export function toConnection<T>(rows: T[], limit: number, keyOf: (row: T) => string, totalCount: () => Promise<number>): Connection<T> {
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  const last = nodes[nodes.length - 1];
  return { nodes, pageInfo: { hasNextPage, endCursor: last ? encodeCursor(keyOf(last)) : null }, totalCount };
}
