import { MIN_CELL_SIZE, SUPPRESSED_CODE } from './small-cells';
import { suppressTable, type TableCell } from './suppression-table';
import type { Viewer } from './identity';

/**
 * What the statistics of a unit publish to viewers who may not see persons (analysts, system
 * administrators), decided so that no published figure, nor any difference or sum of published
 * figures of this unit, its parent and its siblings, gives away a group of 1–4 persons.
 *
 * Suppressing each unit on its own is not enough: a county's published count of senior teachers
 * less its schools' published counts is the withheld schools' count together. So a unit's figures
 * are decided in its parent's table (the parent's row and its children's rows, one column per
 * code, every column adding up to the parent's cell), with the parent's own row fixed as the level
 * above decided it (suppression-table.ts explains why that keeps the levels consistent). The chain
 * starts at the top of the viewer's scope, whose figures are decided alone, and runs down to the
 * unit asked for; each level is computed once per request. Children are ordered by id, so the
 * decisions do not depend on the order a loader returns them in.
 *
 * Order within a level: the totals, then each breakdown with its total fixed (and the cells other
 * figures already decided: byStatus' `active` bucket is the active total; a cross-tab's rows add up
 * to one-way breakdowns decided before it). Extra breakdowns (pay bands) are decided on request,
 * with the level's totals fixed.
 *
 * The reader modelled (tests/unit/statistics-publication.test.ts): knows every published figure,
 * which codes a breakdown lists, the merged bucket, and solves every sum those figures obey; zeros
 * are taken as known (a school's stage and locale are public, and a cross-tab lists where its
 * hidden cells are). Limits: a level is never re-decided because a level below cannot protect a
 * cell; then that breakdown is left out whole for the level below, which in rare trees still lets
 * a reader who knows every zero work a small cell out (tests/unit/statistics-publication.test.ts
 * measures how rare).
 *
 * Totals are decided together with the breakdowns, so another subgraph counting the same teachers
 * cannot repeat the decision: it must not publish those totals to these viewers. Training's
 * completion counts the registry's active teachers, so it shows only how many met the requirement
 * (`totalsPublishedElsewhere`: the totals are taken as known, and `not_met` is never shown).
 */

export interface Figure {
  count: number;
  hidden: boolean;
  /** A reader can work it out although it is hidden (or it is visible). */
  known: boolean;
}

export interface DimensionPublication {
  cells: Map<string, Figure>;
  /** Every cell hidden (the merged bucket may still be shown). */
  withheld: boolean;
  /** Nothing of it published: no hiding protected its small cells, so it is left out whole. */
  empty: boolean;
}

export interface UnitPublication {
  totals: Map<string, Figure>;
  dimensions: Map<string, DimensionPublication>;
}

/** A unit's counts: its totals by name and its breakdowns by dimension and code key. */
export interface UnitCounts {
  id: string;
  totals: Map<string, number>;
  dimensions: Map<string, Map<string, number>>;
}

export interface DimensionSpec {
  name: string;
  /** Codes never shown (training's `not_met`): hidden from the start, protected like any small count. */
  unpublished?: string[];
  /** The total its codes add up to. */
  total: string;
  /** Codes whose count is one of the totals (byStatus' `active`): taken from the totals table. */
  linked?: { code: string; total: string }[];
  /** One-way breakdowns each row of this cross-tab adds up to, per side: `of` maps a code to that breakdown's code. */
  sides?: { dimension: string; of: (code: string) => string }[];
}

export interface PublicationSpec {
  totals: string[];
  /**
   * The totals are published by another subgraph (training counts the registry's active teachers):
   * never shown here, taken as known to every reader, and never hidden to protect a breakdown.
   */
  totalsPublishedElsewhere?: boolean;
  /** In the order they are decided: a cross-tab after the breakdowns it adds up to. */
  dimensions: DimensionSpec[];
}

/** Decides every child's figures of a level, given the parent's (null for a unit decided alone). */
export type LevelDecider = (parent: UnitPublication | null, children: UnitCounts[]) => UnitPublication[];

export interface UnitNode {
  id: string;
  parentId: string | null;
  path: string;
}

/** A code as a map key: null (not recorded) becomes a key no code can be. */
const NULL_KEY = '\u0000null';
export const keyOfCode = (code: string | null) => code ?? NULL_KEY;
export const codeOfKey = (key: string) => (key === NULL_KEY ? null : key);

export const VISIBLE_ZERO: Figure = { count: 0, hidden: false, known: true };
export const fixedOf = (f: Figure): TableCell => ({ count: f.count, fixed: { hidden: f.hidden, known: f.known } });
export const TOTAL = '\u0001total';

/** Cells of one table, addressed by row (children first, the parent last) and column name. */
export class TableBuilder {
  readonly cells: TableCell[] = [];
  readonly groups: number[][] = [];
  private readonly index = new Map<string, number>();
  add(row: number, column: string, cell: TableCell) {
    this.index.set(`${row}\u0001${column}`, this.cells.length);
    this.cells.push(cell);
  }
  at(row: number, column: string): number {
    return this.index.get(`${row}\u0001${column}`) as number;
  }
  has(row: number, column: string) {
    return this.index.has(`${row}\u0001${column}`);
  }
  solve() {
    return suppressTable(this.cells, this.groups, MIN_CELL_SIZE);
  }
}

/** One total per child, adding up to the parent's; `hide` marks totals hidden from the start. */
function publishTotals(parent: Figure | null, counts: number[], hide: boolean[]): Figure[] {
  const table = new TableBuilder();
  counts.forEach((count, row) => table.add(row, TOTAL, { count, hide: hide[row] ?? false }));
  if (parent) {
    table.add(counts.length, TOTAL, fixedOf(parent));
    table.groups.push(counts.map((_, row) => table.at(row, TOTAL)).concat(table.at(counts.length, TOTAL)));
  }
  const result = table.solve();
  return counts.map((count, row) => ({ count, hidden: result.hidden[row] as boolean, known: result.known[row] as boolean }));
}

interface Level {
  children: UnitCounts[];
  parent: UnitPublication | null;
  /** Each child's figures decided so far at this level (its totals, then breakdowns as they are decided). */
  decided: UnitPublication[];
}

/**
 * One breakdown of every child of a level, with its total, linked codes and sides fixed. Rows are
 * the children and, last, the parent's fixed row.
 */
function publishDimension(level: Level, spec: DimensionSpec): { rows: DimensionPublication[]; exposed: boolean; rowsHiding: number[] } {
  const { children, parent, decided } = level;
  const rows = children.length + (parent ? 1 : 0);
  const table = new TableBuilder();
  const codes = new Set<string>();
  for (const child of children) for (const [key, count] of child.dimensions.get(spec.name) ?? []) if (count > 0) codes.add(key);
  for (const [key, figure] of parent?.dimensions.get(spec.name)?.cells ?? []) if (figure.count > 0) codes.add(key);
  const columns = [...codes];
  // A breakdown nobody holds (no rows at all) has no equations to publish.
  if (columns.length === 0) return { rows: children.map(() => ({ withheld: false, empty: false, cells: new Map() })), exposed: false, rowsHiding: [] };
  const publicationOf = (row: number) => (row === children.length ? (parent as UnitPublication) : (decided[row] as UnitPublication));
  const fixedCell = (row: number, dimension: string, key: string) => publicationOf(row).dimensions.get(dimension)?.cells.get(key) ?? VISIBLE_ZERO;
  const linked = new Map((spec.linked ?? []).map((l) => [l.code, l.total]));
  for (let row = 0; row < rows; row++) {
    for (const key of columns) {
      const linkedTotal = linked.get(key);
      if (row === children.length) table.add(row, key, fixedOf(fixedCell(row, spec.name, key)));
      else if (linkedTotal !== undefined) table.add(row, key, fixedOf(publicationOf(row).totals.get(linkedTotal) ?? VISIBLE_ZERO));
      else table.add(row, key, { count: children[row]?.dimensions.get(spec.name)?.get(key) ?? 0, unshown: spec.unpublished?.includes(key) ?? false });
    }
    table.add(row, TOTAL, fixedOf(publicationOf(row).totals.get(spec.total) ?? VISIBLE_ZERO));
    table.groups.push(columns.map((key) => table.at(row, key)).concat(table.at(row, TOTAL)));
  }
  const columnGroup = (column: string) => {
    if (!parent) return;
    const members = Array.from({ length: rows }, (_, row) => row).filter((row) => table.has(row, column));
    table.groups.push(members.map((row) => table.at(row, column)));
  };
  // A cross-tab's cells add up, per row, to the one-way breakdowns decided before it.
  for (const side of spec.sides ?? []) {
    const sideKeys = new Set(columns.map(side.of));
    for (let row = 0; row < rows; row++) {
      for (const key of sideKeys) {
        const column = `${side.dimension}\u0001${key}`;
        table.add(row, column, fixedOf(fixedCell(row, side.dimension, key)));
        table.groups.push(columns.filter((c) => side.of(c) === key).map((c) => table.at(row, c)).concat(table.at(row, column)));
      }
    }
    for (const key of sideKeys) columnGroup(`${side.dimension}\u0001${key}`);
  }
  for (const key of columns) columnGroup(key);
  columnGroup(TOTAL);
  const result = table.solve();
  const rowsHiding = children.map((_, row) => row).filter((row) => columns.some((key) => result.hidden[table.at(row, key)]));
  const published = children.map((_, row) => ({
    withheld: result.withheld,
    empty: false,
    cells: new Map(
      columns.map((key) => {
        const i = table.at(row, key);
        return [key, { count: table.cells[i]?.count ?? 0, hidden: result.hidden[i] as boolean, known: result.known[i] as boolean }];
      }),
    ),
  }));
  return { rows: published, exposed: result.exposed, rowsHiding };
}

/** A breakdown left out whole for every child of a level: no cell shown; zeros stay known (public knowledge). */
export const emptied = (rows: DimensionPublication[]) =>
  rows.map((p) => ({ withheld: true, empty: true, cells: new Map([...p.cells].map(([key, f]) => [key, { ...f, hidden: f.count > 0, known: f.count === 0 }])) }));

/**
 * Every child's figures for a level: totals, then the breakdowns. When a breakdown cannot protect
 * its small cells with the totals as they are (the parent's figures and the children's totals pin
 * them down, e.g. a school whose only age band is its total), the totals of the children hiding
 * cells in it are hidden too and the level is decided again; then every child's total; as a last
 * resort that breakdown is left out whole for the level.
 */
export function publishLevel(spec: PublicationSpec, parent: UnitPublication | null, children: UnitCounts[]): UnitPublication[] {
  const hideTotals = children.map(() => false);
  for (;;) {
    const decided: UnitPublication[] = children.map(() => ({ totals: new Map(), dimensions: new Map() }));
    for (const name of spec.totals) {
      const counts = children.map((c) => c.totals.get(name) ?? 0);
      const figures = spec.totalsPublishedElsewhere
        ? counts.map((count) => ({ count, hidden: false, known: true }))
        : publishTotals(parent?.totals.get(name) ?? null, counts, hideTotals);
      figures.forEach((figure, i) => decided[i]?.totals.set(name, figure));
    }
    let retry = false;
    for (const dimension of spec.dimensions) {
      const { rows, exposed, rowsHiding } = publishDimension({ children, parent, decided }, dimension);
      if (exposed && parent && !spec.totalsPublishedElsewhere) {
        const more = rowsHiding.filter((row) => !hideTotals[row]);
        const next = more.length > 0 ? more : hideTotals.every(Boolean) ? [] : children.map((_, row) => row);
        if (next.length > 0) {
          for (const row of next) hideTotals[row] = true;
          retry = true;
          break;
        }
      }
      (exposed ? emptied(rows) : rows).forEach((p, i) => decided[i]?.dimensions.set(dimension.name, p));
    }
    if (!retry) return decided;
  }
}

/**
 * The figures of the units one request asks for, level by level from the top of the viewer's
 * scope. Each level (a parent and its children) is computed once per request; sibling units asked
 * together share it.
 */
export class HierarchyPublisher {
  private readonly levels = new Map<string, Promise<Map<string, UnitPublication>>>();
  private readonly extraLevels = new Map<string, Promise<Map<string, DimensionPublication>>>();

  /**
   * `decide` is a PublicationSpec (additive breakdowns: a parent's count of a code is its children's
   * added up) or a function deciding a level itself, for figures whose sums differ (transfers).
   */
  private readonly decide: LevelDecider;

  constructor(
    private readonly viewer: Viewer,
    decide: PublicationSpec | LevelDecider,
    private readonly load: {
      unit: (id: string) => Promise<UnitNode | null>;
      children: (id: string) => Promise<UnitNode[]>;
      counts: (ids: readonly string[]) => Promise<UnitCounts[]>;
    },
  ) {
    this.decide = typeof decide === 'function' ? decide : (parent, children) => publishLevel(decide, parent, children);
  }

  /** Decided alone: the top of the viewer's scope, or a unit above it (whose figures are the scope's). */
  decidedAlone(unit: UnitNode) {
    return !unit.parentId || !unit.path.startsWith(this.viewer.orgPath) || unit.path === this.viewer.orgPath;
  }

  private levelKey(unit: UnitNode) {
    return this.decidedAlone(unit) ? `alone:${unit.id}` : `parent:${unit.parentId}`;
  }

  /** The units of the level that decides `unit`, ordered by id, with its parent (null when decided alone). */
  private async members(unit: UnitNode): Promise<{ parent: UnitNode | null; units: UnitNode[] }> {
    if (this.decidedAlone(unit)) return { parent: null, units: [unit] };
    const parent = (await this.load.unit(unit.parentId as string)) as UnitNode;
    const units = [...(await this.load.children(parent.id))].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { parent, units };
  }

  private level(unit: UnitNode): Promise<Map<string, UnitPublication>> {
    const key = this.levelKey(unit);
    let level = this.levels.get(key);
    if (!level) {
      level = (async () => {
        const { parent, units } = await this.members(unit);
        const [parentPublication, counts] = await Promise.all([parent ? this.publication(parent) : null, this.load.counts(units.map((u) => u.id))]);
        const published = this.decide(parentPublication, counts);
        return new Map(units.map((u, i) => [u.id, published[i] as UnitPublication]));
      })();
      this.levels.set(key, level);
    }
    return level;
  }

  async publication(unit: UnitNode): Promise<UnitPublication> {
    return (await this.level(unit)).get(unit.id) as UnitPublication;
  }

  /**
   * A breakdown read only when asked for (pay bands), decided on its own tables with the level's
   * totals fixed. Those totals are already published, so when they do not protect its small cells
   * the breakdown is left out whole for the level.
   */
  async extra(unit: UnitNode, spec: DimensionSpec, counts: (ids: readonly string[]) => Promise<UnitCounts[]>): Promise<DimensionPublication> {
    const key = `${spec.name}:${this.levelKey(unit)}`;
    let level = this.extraLevels.get(key);
    if (!level) {
      level = (async () => {
        const { parent, units } = await this.members(unit);
        const [main, children, parentPublication, parentExtra] = await Promise.all([
          this.level(unit),
          counts(units.map((u) => u.id)),
          parent ? this.publication(parent) : null,
          parent ? this.extra(parent, spec, counts) : null,
        ]);
        const withExtra = parentPublication && parentExtra ? { ...parentPublication, dimensions: new Map([...parentPublication.dimensions, [spec.name, parentExtra]]) } : null;
        const decided = units.map((u) => main.get(u.id) as UnitPublication);
        const { rows, exposed } = publishDimension({ children, parent: withExtra, decided }, spec);
        const published = exposed ? emptied(rows) : rows;
        return new Map(units.map((u, i) => [u.id, published[i] as DimensionPublication]));
      })();
      this.extraLevels.set(key, level);
    }
    return (await level).get(unit.id) as DimensionPublication;
  }
}

/** A published breakdown as buckets: visible codes, and the hidden ones merged when that is safe. */
export function publishedBuckets(
  dimension: DimensionPublication | undefined,
  total: Figure,
  label: (code: string | null) => string,
): { code: string | null; label: string; count: number }[] {
  if (!dimension || dimension.empty) return [];
  const visible = [...dimension.cells]
    .filter(([, f]) => f.count > 0 && !f.hidden)
    .map(([key, f]) => ({ code: codeOfKey(key), label: label(codeOfKey(key)), count: f.count }))
    .sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~'));
  const hidden = [...dimension.cells.values()].filter((f) => f.hidden).reduce((sum, f) => sum + f.count, 0);
  // The merged bucket is the total less the visible buckets: only published when the total is known
  // anyway, and when it holds at least the minimum.
  if (hidden >= MIN_CELL_SIZE && (!total.hidden || total.known)) {
    visible.push({ code: SUPPRESSED_CODE, label: `fewer than ${MIN_CELL_SIZE} each (suppressed)`, count: hidden });
  }
  return visible;
}

/** Counts from rows of (dimension, code, count), with the totals computed from them. */
export function unitCountsOf(
  id: string,
  rows: readonly { dimension: string; code: string | null; count: number | string }[],
  totals: (dimensions: Map<string, Map<string, number>>) => Map<string, number>,
): UnitCounts {
  const dimensions = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const cells = dimensions.get(row.dimension) ?? new Map<string, number>();
    cells.set(keyOfCode(row.code), (cells.get(keyOfCode(row.code)) ?? 0) + Number(row.count));
    dimensions.set(row.dimension, cells);
  }
  return { id, totals: totals(dimensions), dimensions };
}

/** A unit of an `org_scope` projection (id, path): its parent is the path's previous code. */
export function unitNodeOfPath(id: string, path: string): UnitNode {
  const codes = path.split('/').filter(Boolean);
  return { id, path, parentId: codes.length > 1 ? (codes[codes.length - 2] as string) : null };
}
