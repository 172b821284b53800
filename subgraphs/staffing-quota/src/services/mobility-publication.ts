import {
  TOTAL,
  TableBuilder,
  VISIBLE_ZERO,
  emptied,
  fixedOf,
  publishLevel,
  type DimensionPublication,
  type Figure,
  type UnitCounts,
  type UnitPublication,
} from '../../../shared/src/hierarchy-publication';

/**
 * Mobility figures as viewers who may not see persons get them, decided level by level like every
 * statistic (shared/src/hierarchy-publication.ts). A transfer is one person.
 *
 * Rotations count assignments by home school, so a parent's figures are its children's added up:
 * the shared additive decision serves them. Transfers do not add up: a move between two schools of
 * a county is `out` of one, `in` to the other and `within` the county. With B the moves between
 * different children (and B_k those of kind k), a reader has
 *   Σ out = P.out + B,  Σ in = P.in + B,  Σ within + B = P.within,  Σ total = P.total + B,
 *   Σ kind_k = P.kind_k + B_k,  Σ_k B_k = B,
 * and each unit's in + out + within and its kinds add up to its total. B and B_k are never
 * published; they enter the table as latent cells a reader may only work out. When B is 0 a reader
 * who works it out knows every B_k is 0 too, so they are then taken as known zeros.
 */
const DIRECTIONS = ['in', 'out', 'within'] as const;
const ROTATIONS = { totals: ['rotations'], dimensions: [{ name: 'rotationKind', total: 'rotations' }, { name: 'rotationStatus', total: 'rotations' }] };

export function decideMobilityLevel(parent: UnitPublication | null, children: UnitCounts[]): UnitPublication[] {
  const rotations = publishLevel(ROTATIONS, parent, children);
  const transfers = decideTransfers(parent, children);
  return children.map((_, i) => ({
    totals: new Map([...(rotations[i] as UnitPublication).totals, ...(transfers[i] as UnitPublication).totals]),
    dimensions: new Map([...(rotations[i] as UnitPublication).dimensions, ...(transfers[i] as UnitPublication).dimensions]),
  }));
}

function decideTransfers(parent: UnitPublication | null, children: UnitCounts[]): UnitPublication[] {
  const table = new TableBuilder();
  const rows = children.length;
  const P = rows;
  const kinds = new Set<string>();
  for (const child of children) for (const [k, n] of child.dimensions.get('transferKind') ?? []) if (n > 0) kinds.add(k);
  for (const [k, f] of parent?.dimensions.get('transferKind')?.cells ?? []) if (f.count > 0) kinds.add(k);
  const kindList = [...kinds];
  const count = (row: number, dimension: string, code: string) => children[row]?.dimensions.get(dimension)?.get(code) ?? 0;
  const parentCell = (dimension: string, code: string): Figure => parent?.dimensions.get(dimension)?.cells.get(code) ?? VISIBLE_ZERO;
  const d = (code: string) => `d:${code}`;
  const k = (code: string) => `k:${code}`;
  for (let row = 0; row < rows; row++) {
    table.add(row, TOTAL, { count: (children[row] as UnitCounts).totals.get('transfers') ?? 0 });
    for (const code of DIRECTIONS) table.add(row, d(code), { count: count(row, 'transferDirection', code) });
    for (const code of kindList) table.add(row, k(code), { count: count(row, 'transferKind', code) });
  }
  if (parent) {
    table.add(P, TOTAL, fixedOf(parent.totals.get('transfers') ?? VISIBLE_ZERO));
    for (const code of DIRECTIONS) table.add(P, d(code), fixedOf(parentCell('transferDirection', code)));
    for (const code of kindList) table.add(P, k(code), fixedOf(parentCell('transferKind', code)));
  }
  const all = parent ? rows + 1 : rows;
  for (let row = 0; row < all; row++) {
    table.groups.push([...DIRECTIONS.map((c) => table.at(row, d(c))), table.at(row, TOTAL)]);
    if (kindList.length > 0) table.groups.push([...kindList.map((c) => table.at(row, k(c))), table.at(row, TOTAL)]);
  }
  if (parent) {
    const column = (name: string) => Array.from({ length: rows }, (_, row) => table.at(row, name));
    const outs = Array.from({ length: rows }, (_, row) => count(row, 'transferDirection', 'out')).reduce((a, b) => a + b, 0);
    const between = outs - parentCell('transferDirection', 'out').count;
    const B = all;
    table.add(B, 'between', between === 0 ? fixedOf(VISIBLE_ZERO) : { count: between, latent: true });
    table.groups.push([...column(d('out')), table.at(P, d('out')), table.at(B, 'between')]);
    table.groups.push([...column(d('in')), table.at(P, d('in')), table.at(B, 'between')]);
    table.groups.push([...column(d('within')), table.at(P, d('within')), table.at(B, 'between')]);
    table.groups.push([...column(TOTAL), table.at(P, TOTAL), table.at(B, 'between')]);
    for (const code of kindList) {
      const betweenOfKind = Array.from({ length: rows }, (_, row) => count(row, 'transferKind', code)).reduce((a, b) => a + b, 0) - parentCell('transferKind', code).count;
      table.add(B, k(code), between === 0 ? fixedOf(VISIBLE_ZERO) : { count: betweenOfKind, latent: true });
      table.groups.push([...column(k(code)), table.at(P, k(code)), table.at(B, k(code))]);
    }
    if (kindList.length > 0) table.groups.push([...kindList.map((c) => table.at(B, k(c))), table.at(B, 'between')]);
  }
  const result = table.solve();
  const figure = (row: number, name: string): Figure => {
    const i = table.at(row, name);
    return { count: table.cells[i]?.count ?? 0, hidden: result.hidden[i] as boolean, known: result.known[i] as boolean };
  };
  const dimension = (row: number, names: readonly string[], column: (c: string) => string): DimensionPublication => ({
    withheld: result.withheld,
    empty: false,
    cells: new Map(names.map((c) => [c, figure(row, column(c))])),
  });
  const decided = children.map((_, row) => ({
    totals: new Map([['transfers', figure(row, TOTAL)]]),
    dimensions: new Map([
      ['transferDirection', dimension(row, DIRECTIONS, d)],
      ['transferKind', dimension(row, kindList, k)],
    ]),
  }));
  if (!result.exposed) return decided;
  // Nothing protects a small count here: the level's transfers are left out whole, totals too.
  return decided.map((p) => ({
    totals: new Map([['transfers', { ...(p.totals.get('transfers') as Figure), hidden: true, known: false }]]),
    dimensions: new Map([...p.dimensions].map(([name, dim]) => [name, emptied([dim])[0] as DimensionPublication])),
  }));
}
