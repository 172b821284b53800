import fc from 'fast-check';
import { MIN_CELL_SIZE } from '../../subgraphs/shared/src/small-cells';
import { suppressTable } from '../../subgraphs/shared/src/suppression-table';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import type { OrgUnitRow } from '../../subgraphs/teacher-registry/src/repositories/org-units';
import { HierarchyPublisher, publishedBuckets, type Figure, type UnitCounts } from '../../subgraphs/shared/src/hierarchy-publication';

/**
 * Statistics published for viewers who may not see persons must not let anybody be singled out by
 * adding and subtracting the figures of a unit, its parent and its siblings (issue #7, item 3).
 * The reader here knows only what the API would show (totals or null, visible buckets, the merged
 * bucket) and solves every equation those figures obey: a unit's buckets add up to its total, and
 * a parent's count of a code is its children's counts added up. Zeros count as known (the reader
 * may guess them). No count of 1–4 may come out.
 */
const small = (n: number) => n > 0 && n < MIN_CELL_SIZE;
const CODES = ['a', 'b', 'c', 'd'];

interface Unit {
  row: OrgUnitRow;
  counts: Map<string, number>;
  children: Unit[];
}

const unitRow = (id: string, parent: Unit | null): OrgUnitRow => ({
  id,
  parentId: parent?.row.id ?? null,
  name: id,
  level: ['national', 'province', 'city', 'county', 'school'][parent ? parent.row.path.split('/').filter(Boolean).length : 0] as string,
  path: `${parent?.row.path ?? '/'}${id}/`,
  schoolStage: null,
  locale: null,
  isPublic: null,
});

/** A tree whose leaves carry random counts per code; every unit above holds the sums. */
function buildTree(leafCounts: number[][][]): Unit[] {
  const root: Unit = { row: unitRow('CN', null), counts: new Map(), children: [] };
  leafCounts.forEach((leaves, i) => {
    const middle: Unit = { row: unitRow(`P${i}`, root), counts: new Map(), children: [] };
    root.children.push(middle);
    leaves.forEach((counts, j) => {
      const leaf: Unit = { row: unitRow(`P${i}S${j}`, middle), counts: new Map(CODES.map((c, k) => [c, counts[k] ?? 0])), children: [] };
      middle.children.push(leaf);
    });
  });
  const sumUp = (unit: Unit): Map<string, number> => {
    if (unit.children.length === 0) return unit.counts;
    for (const child of unit.children) for (const [code, n] of sumUp(child)) unit.counts.set(code, (unit.counts.get(code) ?? 0) + n);
    return unit.counts;
  };
  sumUp(root);
  const all: Unit[] = [];
  const walk = (u: Unit) => {
    all.push(u);
    u.children.forEach(walk);
  };
  walk(root);
  return all;
}

/** The shared publisher over the tree: one total (active teachers) and one breakdown (title). */
function publisherFor(units: Unit[]) {
  const byId = new Map(units.map((u) => [u.row.id, u]));
  const countsOf = (u: Unit): UnitCounts => ({
    id: u.row.id,
    totals: new Map([['active', [...u.counts.values()].reduce((s, n) => s + n, 0)]]),
    dimensions: new Map([['title', new Map([...u.counts].filter(([, n]) => n > 0))]]),
  });
  const viewer = { subject: 'a', role: 'analyst', orgId: 'CN', orgPath: '/CN/', clientId: null, scopes: [] } as unknown as Viewer;
  return new HierarchyPublisher(viewer, { totals: ['active'], dimensions: [{ name: 'title', total: 'active' }] }, {
    unit: async (id) => byId.get(id)?.row ?? null,
    // Shuffled: the publisher orders a level's units itself.
    children: async (id) => [...(byId.get(id)?.children.map((c) => c.row) ?? [])].reverse(),
    counts: async (ids) => ids.map((id) => countsOf(byId.get(id) as Unit)),
  });
}

/** What a reader of the API can work out; returns the small counts that come out. */
async function smallCountsAReaderWorksOut(units: Unit[]): Promise<string[]> {
  const publisher = publisherFor(units);
  const shown = new Map<string, { total: number | null; buckets: { code: string | null; count: number }[] }>();
  for (const unit of units) {
    const published = await publisher.publication(unit.row);
    const active = published.totals.get('active') as Figure;
    shown.set(unit.row.id, {
      total: active.hidden ? null : active.count,
      buckets: publishedBuckets(published.dimensions.get('title'), active, (c) => c ?? ''),
    });
  }
  // Unknowns: hidden totals and codes not shown (zeros excepted); equations as index groups.
  const names: string[] = [];
  const truth: number[] = [];
  const known: boolean[] = [];
  const index = new Map<string, number>();
  const variable = (name: string, value: number, isKnown: boolean) => {
    index.set(name, names.length);
    names.push(name);
    truth.push(value);
    known.push(isKnown);
  };
  for (const unit of units) {
    const s = shown.get(unit.row.id) as { total: number | null; buckets: { code: string | null; count: number }[] };
    const total = [...unit.counts.values()].reduce((a, n) => a + n, 0);
    variable(`${unit.row.id}:total`, total, s.total !== null);
    for (const code of CODES) {
      const count = unit.counts.get(code) ?? 0;
      // Zeros are taken as known: more than the buckets show, but often public knowledge.
      variable(`${unit.row.id}:${code}`, count, count === 0 || s.buckets.some((b) => b.code === code));
    }
  }
  // Equations with a known result: members with their signs (a unit's total and a parent's cell
  // stand on the other side of the sums they are).
  const groups: { members: number[]; signs: number[] }[] = [];
  const at = (name: string) => index.get(name) as number;
  for (const unit of units) {
    const id = unit.row.id;
    groups.push({ members: [...CODES.map((c) => at(`${id}:${c}`)), at(`${id}:total`)], signs: [...CODES.map(() => 1), -1] });
    // The merged bucket: the codes not shown add up to it.
    const s = shown.get(id) as { buckets: { code: string | null; count: number }[] };
    if (s.buckets.some((b) => b.code === 'suppressed')) {
      const unlisted = CODES.filter((c) => !s.buckets.some((b) => b.code === c));
      groups.push({ members: unlisted.map((c) => at(`${id}:${c}`)), signs: unlisted.map(() => 1) });
    }
    if (unit.children.length > 0) {
      for (const column of [...CODES, 'total']) {
        groups.push({ members: [at(`${id}:${column}`), ...unit.children.map((ch) => at(`${ch.row.id}:${column}`))], signs: [-1, ...unit.children.map(() => 1)] });
      }
    }
  }
  let progress = true;
  while (progress) {
    progress = false;
    for (const { members, signs } of groups) {
      const unknown = members.map((m, k) => [m, signs[k] as number] as const).filter(([m]) => !known[m]);
      if (unknown.length === 1) {
        known[(unknown[0] as readonly [number, number])[0]] = true;
        progress = true;
      } else if (unknown.length > 1 && unknown.every(([, sign]) => sign === (unknown[0] as readonly [number, number])[1]) && unknown.every(([m]) => truth[m] === 0)) {
        // Counts are never negative: unknowns on one side that must add up to zero are each zero.
        for (const [m] of unknown) known[m] = true;
        progress = true;
      }
    }
  }
  const shownSmall = [...shown].flatMap(([id, s]) => [s.total, ...s.buckets.map((b) => b.count)].filter((n): n is number => n !== null && small(n)).map((n) => `${id} shows ${n}`));
  return [...shownSmall, ...names.filter((_, i) => known[i] && small(truth[i] as number)).map((name, i) => `${name} = ${truth[index.get(name) as number]} (${i})`)];
}

describe('statistics decided level by level', () => {
  it('hides a sibling next to a withheld school so the county total less the others gives nothing away', async () => {
    // One county: schools of 3, 40 and 50 teachers; 3 alone withheld would be 93 − 40 − 50.
    const units = buildTree([[[3, 0, 0, 0], [20, 20, 0, 0], [25, 25, 0, 0]]]);
    const publisher = publisherFor(units);
    const totals = [];
    for (const id of ['P0S0', 'P0S1', 'P0S2']) {
      const unit = units.find((u) => u.row.id === id) as Unit;
      const p = await publisher.publication(unit.row);
      const active = p.totals.get('active') as Figure;
      totals.push(active.hidden ? null : active.count);
    }
    expect(totals).toEqual([null, null, 50]);
    expect(await smallCountsAReaderWorksOut(units)).toEqual([]);
  });

  it('hides a code in a sibling when the county count less the others would give a school small count away', async () => {
    // Code a: 3 at the first school, 7 at the second; the county publishes 10.
    const units = buildTree([[[3, 30, 0, 0], [7, 40, 0, 0]]]);
    const publisher = publisherFor(units);
    const second = await publisher.publication((units.find((u) => u.row.id === 'P0S1') as Unit).row);
    expect(second.dimensions.get('title')?.cells.get('a')?.hidden).toBe(true);
    expect(await smallCountsAReaderWorksOut(units)).toEqual([]);
  });

  it('lets no count of 1–4 be worked out of any random tree', async () => {
    const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 30 }));
    const leaf = fc.array(count, { minLength: CODES.length, maxLength: CODES.length });
    const tree = fc.array(fc.array(leaf, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });
    await fc.assert(fc.asyncProperty(tree, async (leaves) => expect(await smallCountsAReaderWorksOut(buildTree(leaves))).toEqual([])), // A fixed seed keeps CI deterministic; PROPERTY_SEED and PROPERTY_RUNS explore further (README, Statistics).
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400), seed: Number(process.env.PROPERTY_SEED ?? 20261128) });
  });
});

describe('suppressTable', () => {
  it('never changes fixed cells and protects the hidden ones a reader cannot work out', () => {
    // Parent (fixed): 12 hidden and unknown; its children 5 and 7 would add up to it.
    const result = suppressTable([{ count: 5 }, { count: 7 }, { count: 12, fixed: { hidden: true, known: false } }], [[0, 1, 2]]);
    expect(result.hidden[2]).toBe(true);
    expect(result.hidden.slice(0, 2).some(Boolean)).toBe(true);
    expect(result.known[2]).toBe(false);
  });

  it('withholds the free cells when nothing else protects a small one', () => {
    // One child only: its 3 is the parent's visible 3 whatever is hidden beside it.
    const result = suppressTable([{ count: 3 }, { count: 3, fixed: { hidden: false, known: true } }], [[0, 1]]);
    expect(result.withheld).toBe(true);
  });
});
