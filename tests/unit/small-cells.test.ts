import { publishedTotal, suppressSmallCells, suppressSmallRunningCounts } from '../../subgraphs/shared/src/small-cells';

const b = (code: string, count: number) => ({ code, label: code, count });

describe('small-cell suppression', () => {
  it('leaves statistics without small cells as they are', () => {
    const input = [b('a', 5), b('b', 0), b('c', 12)];
    expect(suppressSmallCells(input)).toBe(input);
  });

  it('merges small cells into one suppressed bucket when that is enough', () => {
    const out = suppressSmallCells([b('a', 3), b('b', 2), b('c', 9)]);
    expect(out).toEqual([b('c', 9), { code: 'suppressed', label: 'fewer than 5 each (suppressed)', count: 5 }]);
  });

  it('hides the next smallest cell too when the merged small cells would still be small', () => {
    const out = suppressSmallCells([b('a', 1), b('b', 7), b('c', 20)]);
    expect(out.map((x) => [x.code, x.count])).toEqual([['c', 20], ['suppressed', 8]]);
  });

  it('never publishes a count between 1 and 4, and keeps the total when it may be published', () => {
    for (const counts of [[1], [1, 1, 1], [4, 6, 30], [2, 2, 2, 50], [1, 5, 5], [3, 1]]) {
      const out = suppressSmallCells(counts.map((c, i) => b(String(i), c)));
      const total = counts.reduce((s, c) => s + c, 0);
      expect(out.every((x) => x.count === 0 || x.count >= 5)).toBe(true);
      expect(out.reduce((s, x) => s + x.count, 0)).toBe(total < 5 ? 0 : total);
    }
  });

  it('never merges a bucket the reader knows, and leaves out a merged bucket that would stay small', () => {
    const known = (x: { code: string | null }) => x.code === 'active';
    // Non-active 2 + 1: merging `active` (known to be 40) would give back 3; the rest is withheld.
    expect(suppressSmallCells([b('active', 40), b('retired', 2), b('left', 1)], 5, known)).toEqual([b('active', 40)]);
    expect(suppressSmallCells([b('active', 40), b('retired', 2), b('left', 6)], 5, known).map((x) => [x.code, x.count])).toEqual([['active', 40], ['suppressed', 8]]);
  });

  it('publishes totals of 0 and from 5, withholds 1–4', () => {
    expect([0, 1, 4, 5, 90].map((n) => publishedTotal(n))).toEqual([0, null, null, 5, 90]);
  });
});

describe('suppression of counts running down a published figure (forecast retirements)', () => {
  const run = (start: number, counts: number[]) => suppressSmallRunningCounts(start, counts).map((p) => [p.count, p.remaining]);

  it('publishes everything when no count is small', () => {
    expect(run(100, [0, 6, 5])).toEqual([[0, 100], [6, 94], [5, 89]]);
  });

  it('withholds a small count and every running figure until the withheld counts add up to 5 without pinning each down', () => {
    // 3 then 4: 7 in two years could be 3+4 or 4+3, so the running figure comes back after them.
    expect(run(100, [3, 4, 6])).toEqual([[null, null], [null, 93], [6, 87]]);
    // 4 then 4: 8 in two years of at most 4 each can only be 4+4, so it stays withheld until a third.
    expect(run(100, [4, 4, 0, 2])).toEqual([[null, null], [null, null], [0, null], [null, 90]]);
    // Five ones add up to 5, but only as 1+1+1+1+1.
    expect(run(100, [1, 1, 1, 1, 1])).toEqual([[null, null], [null, null], [null, null], [null, null], [null, null]]);
  });

  it('withholds everything when the starting figure itself is 1–4', () => {
    expect(run(4, [0, 0])).toEqual([[null, null], [null, null]]);
  });
});
