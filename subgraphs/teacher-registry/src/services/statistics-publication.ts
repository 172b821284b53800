import { MIN_CELL_SIZE } from '../../../shared/src/small-cells';
import { suppressTable, type TableCell } from '../../../shared/src/suppression-table';
import type { Viewer } from '../../../shared/src/identity';
import type { OrgUnitRow } from '../repositories/org-units';
import type { HeadcountRow } from '../repositories/teachers';
import type { PayBandRow } from '../repositories/statistics';

/**
 * What the headcount statistics of a unit publish to viewers who may not see persons (analysts,
 * system administrators), decided so that no published figure, nor any difference or sum of
 * published figures of this unit, its parent and its siblings, gives away a group of 1–4 persons.
 *
 * Suppressing each unit on its own is not enough: a county's published count of senior teachers
 * less its schools' published counts is the withheld schools' count together. So a unit's figures
 * are decided in its parent's table (the parent's row and its children's rows, one column per
 * code, every column adding up to the parent's cell), with the parent's own row fixed as the level
 * above decided it (shared/src/suppression-table.ts explains why that keeps the levels
 * consistent). The chain starts at the top of the viewer's scope, whose figures are decided alone,
 * and runs down to the unit asked for; each level's table is computed once per request.
 *
 * Order within a level: the totals (active teachers; every teacher, which byStatus adds up to),
 * then each one-way breakdown with the totals fixed, then title × age band with the title and age
 * band breakdowns fixed; pay bands only when asked for.
 */

type OneWayDimension = 'gender' | 'staffCategory' | 'title' | 'educationLevel' | 'onQuota' | 'stage' | 'locale' | 'subject' | 'ageBand' | 'payBand';
export type PublishedDimension = OneWayDimension | 'status' | 'titleAgeBand';
const ACTIVE_DIMENSIONS: OneWayDimension[] = ['gender', 'staffCategory', 'title', 'educationLevel', 'onQuota', 'stage', 'locale', 'subject', 'ageBand'];

/** A code as a map key: null (not recorded) becomes a key no code can be. */
const NULL_KEY = '\u0000null';
export const keyOfCode = (code: string | null) => code ?? NULL_KEY;
export const codeOfKey = (key: string) => (key === NULL_KEY ? null : key);

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
  active: Figure;
  all: Figure;
  dimensions: Map<PublishedDimension, DimensionPublication>;
}

interface UnitCounts {
  id: string;
  dimensions: Map<PublishedDimension, Map<string, number>>;
}

const VISIBLE_ZERO: Figure = { count: 0, hidden: false, known: true };
const fixedOf = (f: Figure): TableCell => ({ count: f.count, fixed: { hidden: f.hidden, known: f.known } });

function countsOf(id: string, rows: readonly { dimension: string; code: string | null; count: number }[]): UnitCounts {
  const dimensions = new Map<PublishedDimension, Map<string, number>>();
  for (const row of rows) {
    const dimension = row.dimension as PublishedDimension;
    const cells = dimensions.get(dimension) ?? new Map<string, number>();
    cells.set(keyOfCode(row.code), (cells.get(keyOfCode(row.code)) ?? 0) + Number(row.count));
    dimensions.set(dimension, cells);
  }
  return { id, dimensions };
}
const activeOf = (u: UnitCounts) => u.dimensions.get('status')?.get('active') ?? 0;
const allOf = (u: UnitCounts) => [...(u.dimensions.get('status')?.values() ?? [])].reduce((sum, n) => sum + n, 0);

/** Cells of one table, addressed by row (children first, the parent last) and column name. */
class TableBuilder {
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

const TOTAL = '\u0001total';

/** One total per child (active teachers, or every teacher), adding up to the parent's; `hide` marks totals hidden from the start. */
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

interface LevelRows {
  /** The children's counts (and, last, the parent's publication when there is a parent). */
  children: UnitCounts[];
  parent: UnitPublication | null;
  /** Each child's totals as decided for this level. */
  totals: { active: Figure; all: Figure }[];
}

/**
 * One breakdown of every child of a level, with its totals (and for the cross-tab, the one-way
 * breakdowns it adds up to) fixed. Rows are the children and, last, the parent's fixed row.
 */
function publishDimension(
  level: LevelRows,
  dimension: PublishedDimension,
  decided: Map<string, UnitPublication>,
): { rows: DimensionPublication[]; exposed: boolean; rowsHiding: number[] } {
  const { children, parent, totals } = level;
  const rows = children.length + (parent ? 1 : 0);
  const table = new TableBuilder();
  const codes = new Set<string>();
  for (const child of children) for (const [key, count] of child.dimensions.get(dimension) ?? []) if (count > 0) codes.add(key);
  for (const [key, figure] of parent?.dimensions.get(dimension)?.cells ?? []) if (figure.count > 0) codes.add(key);
  const columns = [...codes];
  // A breakdown nobody holds (no rows at all) has no equations to publish.
  if (columns.length === 0) return { rows: children.map(() => ({ withheld: false, empty: false, cells: new Map() })), exposed: false, rowsHiding: [] };
  const totalFigure = (row: number) => {
    const pick = dimension === 'status' ? 'all' : 'active';
    return row < children.length ? (totals[row] as { active: Figure; all: Figure })[pick] : (parent as UnitPublication)[pick];
  };
  const fixedCell = (row: number, dim: PublishedDimension, key: string): Figure => {
    if (row === children.length) return parent?.dimensions.get(dim)?.cells.get(key) ?? VISIBLE_ZERO;
    return decided.get(children[row]?.id as string)?.dimensions.get(dim)?.cells.get(key) ?? VISIBLE_ZERO;
  };
  for (let row = 0; row < rows; row++) {
    for (const key of columns) {
      if (row === children.length) table.add(row, key, fixedOf(fixedCell(row, dimension, key)));
      // byStatus' `active` bucket is the active total, decided in the totals table.
      else if (dimension === 'status' && key === 'active') table.add(row, key, fixedOf(totals[row]?.active as Figure));
      else table.add(row, key, { count: children[row]?.dimensions.get(dimension)?.get(key) ?? 0 });
    }
    table.add(row, TOTAL, fixedOf(totalFigure(row)));
    table.groups.push(columns.map((key) => table.at(row, key)).concat(table.at(row, TOTAL)));
  }
  const columnGroup = (column: string) => {
    if (!parent) return;
    const members = Array.from({ length: rows }, (_, row) => row).filter((row) => table.has(row, column));
    table.groups.push(members.map((row) => table.at(row, column)));
  };
  // The cross-tab's cells add up, per row, to the title and age band breakdowns decided before it.
  if (dimension === 'titleAgeBand') {
    const parts = columns.map((key) => key.split('|') as [string, string]);
    const sides = [
      { dimension: 'title' as const, of: (p: [string, string]) => (p[0] === '' ? NULL_KEY : p[0]) },
      { dimension: 'ageBand' as const, of: (p: [string, string]) => p[1] },
    ];
    for (const side of sides) {
      const sideKeys = new Set(parts.map(side.of));
      for (let row = 0; row < rows; row++) {
        for (const key of sideKeys) {
          const column = `${side.dimension}:${key}`;
          table.add(row, column, fixedOf(fixedCell(row, side.dimension, key)));
          table.groups.push(columns.filter((_, i) => side.of(parts[i] as [string, string]) === key).map((c) => table.at(row, c)).concat(table.at(row, column)));
        }
      }
      for (const key of sideKeys) columnGroup(`${side.dimension}:${key}`);
    }
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
const emptied = (rows: DimensionPublication[]) =>
  rows.map((p) => ({ withheld: true, empty: true, cells: new Map([...p.cells].map(([key, f]) => [key, { ...f, hidden: f.count > 0, known: f.count === 0 }])) }));

/**
 * Every child's figures for a level: totals, then the breakdowns (see the order at the top). When
 * a breakdown cannot protect its small cells with the totals as they are (the parent's figures and
 * the children's totals pin them down), the totals of the children hiding cells are hidden too and
 * the level is decided again; then every child's total; as a last resort that breakdown is left
 * out whole for the level.
 */
function publishLevel(parent: UnitPublication | null, children: UnitCounts[]): Map<string, UnitPublication> {
  const hideTotals = children.map(() => false);
  for (;;) {
    const active = publishTotals(parent?.active ?? null, children.map(activeOf), hideTotals);
    const all = publishTotals(parent?.all ?? null, children.map(allOf), hideTotals);
    const level: LevelRows = { children, parent, totals: children.map((_, i) => ({ active: active[i] as Figure, all: all[i] as Figure })) };
    const published = new Map<string, UnitPublication>(
      children.map((child, i) => [child.id, { active: active[i] as Figure, all: all[i] as Figure, dimensions: new Map() }]),
    );
    let retry = false;
    for (const dimension of [...ACTIVE_DIMENSIONS, 'status', 'titleAgeBand'] as const) {
      const { rows, exposed, rowsHiding } = publishDimension(level, dimension, published);
      if (exposed && parent) {
        const more = rowsHiding.filter((row) => !hideTotals[row]);
        const next = more.length > 0 ? more : hideTotals.every(Boolean) ? [] : children.map((_, row) => row);
        if (next.length > 0) {
          for (const row of next) hideTotals[row] = true;
          retry = true;
          break;
        }
      }
      (exposed ? emptied(rows) : rows).forEach((p, i) => published.get(children[i]?.id as string)?.dimensions.set(dimension, p));
    }
    if (!retry) return published;
  }
}

/**
 * The figures of the units one request asks for. Each level (a parent and its children) is
 * computed once per request; sibling units asked together share it.
 */
export class StatisticsPublisher {
  private readonly levels = new Map<string, Promise<Map<string, UnitPublication>>>();
  private readonly payLevels = new Map<string, Promise<Map<string, DimensionPublication>>>();

  constructor(
    private readonly viewer: Viewer,
    private readonly load: {
      unit: (id: string) => Promise<OrgUnitRow | null>;
      children: (id: string) => Promise<OrgUnitRow[]>;
      headcounts: (ids: readonly string[]) => Promise<HeadcountRow[][]>;
      payBands: (ids: readonly string[]) => Promise<PayBandRow[][]>;
    },
  ) {}

  /** Whether the unit's figures are decided alone: the top of the viewer's scope, or a unit above it (whose figures are the scope's). */
  private decidedAlone(unit: OrgUnitRow) {
    return !unit.parentId || !unit.path.startsWith(this.viewer.orgPath) || unit.path === this.viewer.orgPath;
  }

  /** The level whose table decides `unit`: keyed by its parent, or by the unit itself when decided alone. */
  private level(unit: OrgUnitRow): Promise<Map<string, UnitPublication>> {
    const key = this.decidedAlone(unit) ? `alone:${unit.id}` : `parent:${unit.parentId}`;
    let level = this.levels.get(key);
    if (!level) {
      level = (async () => {
        if (this.decidedAlone(unit)) {
          const [rows] = await this.load.headcounts([unit.id]);
          return publishLevel(null, [countsOf(unit.id, rows ?? [])]);
        }
        const parent = (await this.load.unit(unit.parentId as string)) as OrgUnitRow;
        const [parentPublication, siblings] = await Promise.all([this.publication(parent), this.load.children(parent.id)]);
        const rows = await this.load.headcounts(siblings.map((s) => s.id));
        return publishLevel(parentPublication, siblings.map((s, i) => countsOf(s.id, rows[i] ?? [])));
      })();
      this.levels.set(key, level);
    }
    return level;
  }

  async publication(unit: OrgUnitRow): Promise<UnitPublication> {
    return (await this.level(unit)).get(unit.id) as UnitPublication;
  }

  /** Pay bands, decided the same way on their own tables, with the totals of the main level fixed. */
  async payBands(unit: OrgUnitRow): Promise<DimensionPublication> {
    const key = this.decidedAlone(unit) ? `alone:${unit.id}` : `parent:${unit.parentId}`;
    let level = this.payLevels.get(key);
    if (!level) {
      level = (async () => {
        const withBands = (publication: UnitPublication, bands: DimensionPublication): UnitPublication => ({
          ...publication,
          dimensions: new Map([...publication.dimensions, ['payBand', bands]]),
        });
        const alone = this.decidedAlone(unit);
        const parent = alone ? null : ((await this.load.unit(unit.parentId as string)) as OrgUnitRow);
        const units = alone ? [unit] : await this.load.children((parent as OrgUnitRow).id);
        const [main, rows, parentPublication, parentBands] = await Promise.all([
          this.level(unit),
          this.load.payBands(units.map((u) => u.id)),
          parent ? this.publication(parent) : null,
          parent ? this.payBands(parent) : null,
        ]);
        const children = units.map((u, i) => countsOf(u.id, (rows[i] ?? []).map((r) => ({ dimension: 'payBand', code: r.code, count: r.count }))));
        const totals = units.map((u) => {
          const p = main.get(u.id) as UnitPublication;
          return { active: p.active, all: p.all };
        });
        const levelRows: LevelRows = {
          children,
          parent: parentPublication && parentBands ? withBands(parentPublication, parentBands) : null,
          totals,
        };
        // The totals are already published with the main level: pay bands they do not protect are left out.
        const { rows: bands, exposed } = publishDimension(levelRows, 'payBand', main);
        const published = exposed ? emptied(bands) : bands;
        return new Map(units.map((u, i) => [u.id, published[i] as DimensionPublication]));
      })();
      this.payLevels.set(key, level);
    }
    return (await level).get(unit.id) as DimensionPublication;
  }
}

/** A published breakdown as buckets: visible codes, and the hidden ones merged when that is safe. */
export function publishedBuckets(
  dimension: DimensionPublication,
  total: Figure,
  label: (code: string | null) => string,
): { code: string | null; label: string; count: number }[] {
  if (dimension.empty) return [];
  const visible = [...dimension.cells]
    .filter(([, f]) => f.count > 0 && !f.hidden)
    .map(([key, f]) => ({ code: codeOfKey(key), label: label(codeOfKey(key)), count: f.count }))
    .sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~'));
  const hidden = [...dimension.cells.values()].filter((f) => f.hidden).reduce((sum, f) => sum + f.count, 0);
  // The merged bucket is the total less the visible buckets: only published when the total is known
  // anyway, and when it holds at least the minimum.
  if (hidden >= MIN_CELL_SIZE && (!total.hidden || total.known)) {
    visible.push({ code: 'suppressed', label: `fewer than ${MIN_CELL_SIZE} each (suppressed)`, count: hidden });
  }
  return visible;
}
