import { MIN_CELL_SIZE } from './small-cells';

/**
 * Small-cell suppression as a system of equations a reader can solve, so that it holds across
 * statistics that add up to each other: a unit's breakdown adds up to its total, its children's
 * counts of a code add up to its own count of that code, a cross-tab's rows add up to a one-way
 * breakdown. Each such sum is a *group* of cells whose total a reader knows (the equations have a
 * known right-hand side: a published figure, or zero once the parent's or the total's cell is
 * itself a member). A reader who knows every cell of a group but one knows that one too, and so
 * on in chains.
 *
 * Cells of 1 to minimum - 1 persons are hidden; then more cells are hidden until no guarded cell
 * can be worked out: the small ones, and cells decided elsewhere (`fixed`) that were hidden there
 * and could not be worked out there. Fixed cells are never changed here: they come from a table
 * already published (the parent's own row, decided one level up; the totals, decided first), which
 * is what keeps the levels consistent. When hiding cells next to an exposed one runs out, every
 * free cell is hidden (`withheld`); when even that leaves a guarded cell exposed, the fixed cells
 * give it away and the caller must decide them differently (`exposed`). Zeros count as known
 * throughout: that a school has no teacher of some kind is often public knowledge.
 *
 * Two tables that share cells (a parent's row above, its children's table here) stay safe
 * together because the shared cells are fixed here and everything unknown there stays unknown
 * here: nothing new flows back up.
 */
export interface TableCell {
  count: number;
  /** Decided in another table: whether it is hidden there, and whether a reader can work it out anyway. */
  fixed?: { hidden: boolean; known: boolean };
  /**
   * Never published and never hidden on purpose: a count the equations need but no statistic shows
   * (the transfers between a county's schools), known to a reader only by working it out.
   */
  latent?: boolean;
  /** Hidden from the start although not small (the caller's complementary choice); may still be worked out. */
  hide?: boolean;
  /** Never shown (training's `not_met`): hidden from the start; it may be worked out unless it is small. */
  unshown?: boolean;
}

export interface SuppressedTable {
  hidden: boolean[];
  /** Whether a reader knows the cell (visible, or worked out from the groups). */
  known: boolean[];
  /** Every free cell that is not zero is hidden: nothing less protected the guarded cells. */
  withheld: boolean;
  /** A guarded cell can still be worked out (even withheld): the fixed cells give it away; the caller must hide more of them. */
  exposed: boolean;
}

export function suppressTable(cells: readonly TableCell[], groups: readonly (readonly number[])[], minimum = MIN_CELL_SIZE): SuppressedTable {
  const small = (count: number) => count > 0 && count < minimum;
  const free = (i: number) => (cells[i] as TableCell).fixed === undefined && !(cells[i] as TableCell).latent;
  const hidden = cells.map((c) => (c.fixed ? c.fixed.hidden : c.latent || c.hide || c.unshown || small(c.count)));
  const guarded = cells.map((c, i) => hidden[i] && !c.latent && (c.fixed ? !c.fixed.known : small(c.count)));
  const unshown = cells.map((c) => !c.fixed && (c.unshown ?? false));
  const groupsOf: number[][] = cells.map(() => []);
  groups.forEach((group, g) => group.forEach((i) => (groupsOf[i] as number[]).push(g)));
  const count = (i: number) => (cells[i] as TableCell).count;
  // Cells that hiding could still take: free, visible and not zero (zeros are public knowledge).
  const hideable = (i: number) => free(i) && !hidden[i] && count(i) > 0;

  /** What a reader can work out: visible cells, cells known elsewhere, then groups with one unknown. */
  const derive = (): boolean[] => {
    const known = cells.map((c, i) => !hidden[i] || (c.fixed?.known ?? false));
    const unknownIn = groups.map((group) => group.filter((i) => !known[i]).length);
    const queue = unknownIn.flatMap((n, g) => (n === 1 ? [g] : []));
    while (queue.length > 0) {
      const g = queue.pop() as number;
      if (unknownIn[g] !== 1) continue;
      const i = (groups[g] as readonly number[]).find((j) => !known[j]) as number;
      known[i] = true;
      for (const h of groupsOf[i] as number[]) {
        unknownIn[h] = (unknownIn[h] as number) - 1;
        if (unknownIn[h] === 1) queue.push(h);
      }
    }
    return known;
  };

  // Every group hiding cells a reader does not know must hide at least two, adding up to the
  // minimum: a merged bucket of 1–4 would say those few people share one of the hidden codes.
  const hidePairs = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const group of groups) {
        // Cells hidden because they are never shown (not small) need no company either.
        const unknown = group.filter((i) => hidden[i] && !(cells[i] as TableCell).fixed?.known && !(cells[i] as TableCell).latent && !(unshown[i] && !guarded[i]));
        if (unknown.length === 0) continue;
        if (unknown.length >= 2 && unknown.reduce((sum, i) => sum + count(i), 0) >= minimum) continue;
        const next = group.filter(hideable).sort((a, b) => count(a) - count(b))[0];
        if (next !== undefined) {
          hidden[next] = true;
          changed = true;
        }
      }
    }
  };

  hidePairs();
  for (let round = 0; round <= cells.length; round++) {
    const known = derive();
    const exposed = cells.findIndex((_, i) => guarded[i] && known[i]);
    if (exposed < 0) return { hidden, known, withheld: false, exposed: false };
    // Hide the smallest visible cell that shares a group with the exposed one.
    const next = (groupsOf[exposed] as number[])
      .flatMap((g) => groups[g] as readonly number[])
      .filter(hideable)
      .sort((a, b) => count(a) - count(b))[0];
    if (next === undefined) break;
    hidden[next] = true;
    hidePairs();
  }
  // Nothing left to hide next to an exposed cell: withhold every free cell. Zeros stay public
  // knowledge (a reader may know a school has no teacher of some title), so they cannot be hidden.
  cells.forEach((_, i) => {
    if (free(i) && count(i) > 0) hidden[i] = true;
  });
  const known = derive();
  return { hidden, known, withheld: true, exposed: cells.some((_, i) => guarded[i] && known[i]) };
}
