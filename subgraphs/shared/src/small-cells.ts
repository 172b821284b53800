import { parseAdminRole, type Viewer } from './identity';

/**
 * Small-cell suppression for statistics shown to viewers who may not see persons (analysts,
 * system administrators): a bucket of 1–4 people can single somebody out ("the one teacher with a
 * doctorate at this school"), so such buckets are merged into one "suppressed" bucket; if that
 * bucket would itself be small, the next smallest buckets join it (complementary suppression), so
 * no published count between 1 and MIN_CELL_SIZE - 1 can be worked back out. Totals stay exact.
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

export function suppressSmallCells<B extends CountBucket>(buckets: B[], minimum = MIN_CELL_SIZE): CountBucket[] {
  const small = (b: CountBucket) => b.count > 0 && b.count < minimum;
  if (!buckets.some(small)) return buckets;
  const kept = buckets.filter((b) => !small(b)).sort((a, b) => a.count - b.count);
  let hidden = buckets.filter(small).reduce((sum, b) => sum + b.count, 0);
  // A hidden total below the minimum could be recovered from the total: hide more until it is not.
  while (hidden < minimum && kept.some((b) => b.count > 0)) {
    const index = kept.findIndex((b) => b.count > 0);
    hidden += (kept.splice(index, 1)[0] as CountBucket).count;
  }
  const suppressed: CountBucket = { code: SUPPRESSED_CODE, label: `fewer than ${minimum} each (suppressed)`, count: hidden };
  return [...kept.sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~')), suppressed];
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
  const hidden = cells.map((c) => c.count > 0 && c.count < minimum);
  if (!hidden.some(Boolean)) return cells.map((c) => ({ ...c, suppressed: false }));
  const key = (code: string | null) => code ?? '\u0000null';
  const byGroup = new Map<string, { c: CrossTabCount; i: number }[]>();
  cells.forEach((c, i) => {
    for (const name of [`r:${key(c.rowCode)}`, `c:${key(c.columnCode)}`]) byGroup.set(name, [...(byGroup.get(name) ?? []), { c, i }]);
  });
  const groups = [...byGroup.values()];
  let changed = true;
  while (changed) {
    changed = false;
    for (const group of groups) {
      const inGroup = group.filter(({ i }) => hidden[i]);
      if (inGroup.length === 0) continue;
      const sum = inGroup.reduce((s, { c }) => s + c.count, 0);
      if (inGroup.length >= 2 && sum >= minimum) continue;
      const next = group.filter(({ i, c }) => !hidden[i] && c.count > 0).sort((a, b) => a.c.count - b.c.count)[0];
      if (next) {
        hidden[next.i] = true;
        changed = true;
      }
    }
  }
  return cells.map((c, i) => ({ ...c, count: hidden[i] ? null : c.count, suppressed: hidden[i] as boolean }));
}
