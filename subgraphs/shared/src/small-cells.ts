import { parseAdminRole, type Viewer } from './identity';

/**
 * Small-cell suppression for statistics shown to viewers who may not see persons (analysts,
 * system administrators): a bucket of 1–4 people can single somebody out ("the one teacher with a
 * doctorate at this school"), so such buckets are merged into one "suppressed" bucket; if that
 * bucket would itself be small, the next smallest buckets join it (complementary suppression), so
 * no published count between 1 and MIN_CELL_SIZE - 1 can be worked back out. Totals of 1 to
 * MIN_CELL_SIZE - 1 are not published either (publishedTotal): a unit of three teachers is three
 * persons.
 */
export const MIN_CELL_SIZE = 5;

export function suppressesSmallCells(viewer: Viewer): boolean {
  return viewer.role === 'analyst' || parseAdminRole(viewer.role)?.kind === 'system_admin';
}

export interface CountBucket {
  code: string | null;
  label: string;
  count: number;
}

export const SUPPRESSED_CODE = 'suppressed';

/**
 * `known` marks buckets whose count a reader already has from elsewhere (byStatus' `active` bucket
 * is the sum of every other breakdown): they are never merged, since taking a known count back out
 * of the merged bucket would give the hidden rest. When the hidden buckets cannot reach the minimum
 * together (the whole breakdown, or all of it but the known buckets, holds fewer), the merged bucket
 * is left out altogether: publishing its count would publish a group of 1–4.
 */
export function suppressSmallCells<B extends CountBucket>(
  buckets: B[],
  minimum = MIN_CELL_SIZE,
  known: (bucket: CountBucket) => boolean = () => false,
): CountBucket[] {
  const small = (b: CountBucket) => b.count > 0 && b.count < minimum && !known(b);
  if (!buckets.some(small)) return buckets;
  const kept = buckets.filter((b) => !small(b)).sort((a, b) => a.count - b.count);
  let hidden = buckets.filter(small).reduce((sum, b) => sum + b.count, 0);
  // A hidden total below the minimum could be recovered from the total: hide more until it is not.
  const mergeable = () => kept.findIndex((b) => b.count > 0 && !known(b));
  while (hidden < minimum && mergeable() >= 0) {
    hidden += (kept.splice(mergeable(), 1)[0] as CountBucket).count;
  }
  const sorted = kept.sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~'));
  if (hidden < minimum) return sorted;
  const suppressed: CountBucket = { code: SUPPRESSED_CODE, label: `fewer than ${minimum} each (suppressed)`, count: hidden };
  return [...sorted, suppressed];
}

/** A total as a suppressing viewer may see it: null when it counts 1 to minimum - 1 persons. */
export function publishedTotal(count: number, minimum = MIN_CELL_SIZE): number | null {
  return count > 0 && count < minimum ? null : count;
}

export interface CrossTabCount {
  rowCode: string | null;
  rowLabel: string;
  columnCode: string | null;
  columnLabel: string;
  count: number;
}

export interface PublishedCrossTabCell extends Omit<CrossTabCount, 'count'> {
  count: number | null;
  suppressed: boolean;
}

/**
 * Suppression for a two-way table (e.g. title × age band) whose row and column totals are published
 * elsewhere: cells of 1 to minimum - 1 are hidden; then, until nothing changes, every row and column
 * holding hidden cells must hold at least two whose sum is at least the minimum (one hidden cell
 * could be worked back out from the published totals), so the next smallest visible cell of that
 * row or column is hidden too. Absent cells are zeros, which are public knowledge anyway.
 */
export function suppressSmallCrossTabCells(cells: CrossTabCount[], minimum = MIN_CELL_SIZE): PublishedCrossTabCell[] {
  // A table of 1–4 people in all is not published at all: even its hidden cells would say which
  // title and age those few people have (absent cells are zeros).
  if (publishedTotal(cells.reduce((sum, c) => sum + c.count, 0), minimum) === null) return [];
  const hidden = cells.map((c) => c.count > 0 && c.count < minimum);
  if (!hidden.some(Boolean)) return cells.map((c) => ({ ...c, suppressed: false }));
  const key = (code: string | null) => code ?? '\u0000null';
  const byGroup = new Map<string, { c: CrossTabCount; i: number }[]>();
  cells.forEach((c, i) => {
    for (const name of [`r:${key(c.rowCode)}`, `c:${key(c.columnCode)}`]) byGroup.set(name, [...(byGroup.get(name) ?? []), { c, i }]);
  });
  const groups = [...byGroup.values()];
  // The crossing group of a cell: its column when `group` is a row, its row when `group` is a column.
  const otherGroup = (group: { c: CrossTabCount }[], cell: CrossTabCount) => {
    return byGroup.get(`r:${key(cell.rowCode)}`) === group ? `c:${key(cell.columnCode)}` : `r:${key(cell.rowCode)}`;
  };
  // Every row and column holding hidden cells must hold at least two adding up to the minimum.
  const hidePairs = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const group of groups) {
        const inGroup = group.filter(({ i }) => hidden[i]);
        if (inGroup.length === 0) continue;
        const sum = inGroup.reduce((s, { c }) => s + c.count, 0);
        if (inGroup.length >= 2 && sum >= minimum) continue;
        // Prefer a cell that is not alone in its other row or column: hiding a lone cell would leave
        // it readable from that row's or column's published total.
        const alone = (i: number) => (byGroup.get(otherGroup(group, cells[i] as CrossTabCount)) ?? []).filter(({ c }) => c.count > 0).length === 1;
        const next = group
          .filter(({ i, c }) => !hidden[i] && c.count > 0)
          .sort((a, b) => Number(alone(a.i)) - Number(alone(b.i)) || a.c.count - b.c.count)[0];
        if (next) {
          hidden[next.i] = true;
          changed = true;
        }
      }
    }
  };
  // Then work the table back the way a reader could, from the row and column totals the one-way
  // breakdowns publish (themselves suppressed by suppressSmallCells): a row or column with one
  // unknown cell gives it away, and so on in chains. Wherever a small cell comes out, hide one more
  // cell next to it, and restore the pair rule above (the new hidden cell may sit alone in its
  // other row or column), until no small cell comes out or nothing is left to hide next to it.
  const published = publishedTotals(cells, minimum);
  const usable = [...byGroup.entries()].filter(([name]) => published.has(name)).map(([, group]) => group);
  hidePairs();
  for (let round = 0; round < cells.length; round++) {
    const exposed = firstDerivableSmallCell(cells, hidden, usable, minimum);
    if (exposed < 0) break;
    const cell = cells[exposed] as CrossTabCount;
    const candidates = [`r:${key(cell.rowCode)}`, `c:${key(cell.columnCode)}`]
      .flatMap((name) => byGroup.get(name) ?? [])
      .filter(({ i, c }) => !hidden[i] && c.count > 0)
      .sort((a, b) => a.c.count - b.c.count);
    if (!candidates[0]) break;
    hidden[candidates[0].i] = true;
    hidePairs();
  }
  // What hiding cannot fix: a small cell that the published one-way totals determine once the
  // table's shape (which cells are not zero) is known. Such a table (about 1 % of random tables) is
  // withheld whole, like a table of 1–4 people: without its cells, the shape is unknown too.
  if (firstDerivableSmallCell(cells, hidden, usable, minimum) >= 0) return [];
  return cells.map((c, i) => ({ ...c, count: hidden[i] ? null : c.count, suppressed: hidden[i] as boolean }));
}

/** Names (`r:<row>`, `c:<column>`) of the row and column totals the one-way breakdowns publish. */
export function publishedTotals(cells: CrossTabCount[], minimum = MIN_CELL_SIZE): Set<string> {
  const key = (code: string | null) => code ?? '\u0000null';
  const names = new Set<string>();
  for (const [prefix, code] of [['r', (c: CrossTabCount) => c.rowCode], ['c', (c: CrossTabCount) => c.columnCode]] as const) {
    const totals = new Map<string, number>();
    for (const c of cells) totals.set(key(code(c)), (totals.get(key(code(c))) ?? 0) + c.count);
    const visible = suppressSmallCells([...totals].map(([k, count]) => ({ code: k, label: k, count })), minimum);
    for (const b of visible) if (b.code !== SUPPRESSED_CODE) names.add(`${prefix}:${b.code}`);
  }
  return names;
}

/**
 * Index of a hidden cell of 1 to minimum - 1 that can be recovered from the visible cells and the
 * published totals of the given rows and columns, or -1 when none can.
 */
export function firstDerivableSmallCell(cells: CrossTabCount[], hidden: boolean[], published: { i: number }[][], minimum = MIN_CELL_SIZE): number {
  const known = hidden.map((h) => !h);
  let progress = true;
  while (progress) {
    progress = false;
    for (const group of published) {
      const unknown = group.filter(({ i }) => !known[i]);
      if (unknown.length === 1) {
        known[(unknown[0] as { i: number }).i] = true;
        progress = true;
      }
    }
  }
  return cells.findIndex((c, i) => hidden[i] && known[i] && c.count < minimum);
}

export interface PublishedRunningCount {
  /** The period's own count, or null when it is 1 to minimum - 1. */
  count: number | null;
  /** The starting figure less the counts so far, or null when it would give back a withheld count. */
  remaining: number | null;
}

/**
 * Suppression for counts per period that run down a published starting figure, such as the
 * retirements per year of a demand forecast against the teachers in post: a period of 1 to
 * minimum - 1 persons is withheld, and so is every running figure after it, since the difference of
 * two published running figures is the sum of the counts between them. A running figure comes back
 * once the withheld counts since the last published one add up to at least the minimum and their
 * sum does not pin each of them down (n counts known to be 1..minimum-1 each: a sum of n or of
 * n × (minimum - 1) would). A starting figure of 1 to minimum - 1 withholds everything.
 */
export function suppressSmallRunningCounts(start: number, counts: number[], minimum = MIN_CELL_SIZE): PublishedRunningCount[] {
  if (publishedTotal(start, minimum) === null) return counts.map(() => ({ count: null, remaining: null }));
  let remaining = start;
  let withheldSum = 0;
  let withheldCount = 0;
  return counts.map((count) => {
    remaining -= count;
    const hidden = publishedTotal(count, minimum) === null;
    if (hidden) {
      withheldSum += count;
      withheldCount += 1;
    }
    const undetermined = withheldCount === 0 || (withheldSum >= minimum && withheldCount < withheldSum && withheldSum < withheldCount * (minimum - 1));
    if (undetermined) {
      withheldSum = 0;
      withheldCount = 0;
    }
    return { count: hidden ? null : count, remaining: undetermined ? remaining : null };
  });
}
