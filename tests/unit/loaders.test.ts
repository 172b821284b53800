import { mapTo, mapToMany } from '../../subgraphs/shared/src/loaders';

describe('DataLoader result mapping', () => {
  const rows = [
    { id: 'b', v: 2 },
    { id: 'a', v: 1 },
  ];

  it('mapTo returns one result per key, in key order, null for missing keys', () => {
    expect(mapTo(['a', 'x', 'b', 'a'], rows, (r) => r.id)).toEqual([rows[1], null, rows[0], rows[1]]);
  });

  it('mapToMany groups rows per key and gives an empty list for missing keys', () => {
    const many = [
      { k: 1, n: 'p' },
      { k: 2, n: 'q' },
      { k: 1, n: 'r' },
    ];
    expect(mapToMany([2, 3, 1], many, (r) => r.k)).toEqual([[many[1]], [], [many[0], many[2]]]);
  });
});
