import { suppressSmallCells } from '../../subgraphs/shared/src/small-cells';

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

  it('never publishes a count between 1 and 4, and keeps the total', () => {
    for (const counts of [[1], [1, 1, 1], [4, 6, 30], [2, 2, 2, 50], [1, 5, 5]]) {
      const out = suppressSmallCells(counts.map((c, i) => b(String(i), c)));
      expect(out.every((x) => x.count === 0 || x.count >= 5 || out.length === 1)).toBe(true);
      expect(out.reduce((s, x) => s + x.count, 0)).toBe(counts.reduce((s, c) => s + c, 0));
    }
  });
});
