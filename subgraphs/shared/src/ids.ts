const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Teacher and record ids are UUIDs. Anything else can match no row, so it is answered without
 * reaching a uuid column (where PostgreSQL would raise a cast error).
 */
export function normaliseUuid(id: string): string | null {
  return UUID.test(id) ? id.toLowerCase() : null;
}
