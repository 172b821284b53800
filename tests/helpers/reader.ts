/**
 * The reader the statistics tests attack suppression with: `groups` are sums whose result it knows
 * (names of figures, e.g. `420111:inPost`); whenever a group holds one figure it does not know, it
 * works that one out, and so on in chains. Adds what it works out to `known` and returns it.
 */
export function workOutSums(groups: readonly (readonly string[])[], known: Set<string>): Set<string> {
  let progress = true;
  while (progress) {
    progress = false;
    for (const group of groups) {
      const unknown = group.filter((name) => !known.has(name));
      if (unknown.length === 1) {
        known.add(unknown[0] as string);
        progress = true;
      }
    }
  }
  return known;
}
