/**
 * DataLoader's contract: the batch function returns exactly one result per key, in key order.
 * These helpers turn the unordered rows of a `whereIn` into that shape.
 */
export function mapTo<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

export function mapToMany<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return keys.map((key) => byKey.get(key) ?? []);
}

/** loadMany's answers, failing as a whole when one of them failed. */
export function settledOrThrow<T>(results: (T | Error)[]): T[] {
  const failed = results.find((r): r is Error => r instanceof Error);
  if (failed) throw failed;
  return results as T[];
}

/**
 * One value per distinct argument, made on first use and kept for the request: a loader per year
 * or per argument set, so a page of units asking the same thing is one statement.
 */
export function perKey<K, V>(make: (key: K) => V): (key: K) => V {
  const values = new Map<K, V>();
  return (key: K) => {
    let value = values.get(key);
    if (value === undefined) {
      value = make(key);
      values.set(key, value);
    }
    return value;
  };
}
