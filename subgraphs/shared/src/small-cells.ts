import { parseAdminRole, type Viewer } from './identity';

/**
 * Small-cell suppression for statistics shown to viewers who may not see persons (analysts,
 * system administrators): a count of 1–4 people can single somebody out ("the one teacher with a
 * doctorate at this school"), so no such count may be published, nor worked back out of published
 * figures. How the figures are decided: suppression-table.ts (one table of sums a reader can solve)
 * and hierarchy-publication.ts (a unit's figures decided with its parent and siblings).
 */
export const MIN_CELL_SIZE = 5;

/** The code of the merged bucket that holds a breakdown's hidden counts together. */
export const SUPPRESSED_CODE = 'suppressed';

export function suppressesSmallCells(viewer: Viewer): boolean {
  return viewer.role === 'analyst' || parseAdminRole(viewer.role)?.kind === 'system_admin';
}
