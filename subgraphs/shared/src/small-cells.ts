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
