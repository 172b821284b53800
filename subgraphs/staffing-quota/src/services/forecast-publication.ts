import type { PublicationSpec, UnitCounts } from '../../../shared/src/hierarchy-publication';

/**
 * Retirements of a demand forecast as viewers who may not see persons get them: decided level by
 * level like every statistic (shared/src/hierarchy-publication.ts), since a county's retirements
 * in a year less its schools' are the withheld schools' retirements. Each unit's row is its
 * teachers in post split into the year they retire, for the whole horizon a forecast may ask for
 * (so a request for 5 years and one for 10 decide alike), plus those retiring later.
 */
export const FORECAST_HORIZON = 10;

/**
 * Teachers in post are a teacher count like the registry's active teachers (the same people on
 * most days), which the registry alone publishes to these viewers below the top of their scope; so
 * here they are taken as known and never decided. Only at the top of the viewer's scope, where both
 * withhold a total exactly when it is 1–4, are they shown (with what follows from them).
 */
export const FORECAST_PUBLICATION: PublicationSpec = {
  totals: ['inPost'],
  totalsPublishedElsewhere: true,
  dimensions: [{ name: 'retirement', total: 'inPost' }],
};

export function forecastCounts(id: string, baseYear: number, figures: { inPost: number; byYear: Map<number, number> }): UnitCounts {
  const years = Array.from({ length: FORECAST_HORIZON }, (_, i) => baseYear + 1 + i);
  const retiring = years.map((year) => figures.byYear.get(year) ?? 0);
  const later = figures.inPost - retiring.reduce((a, b) => a + b, 0);
  return {
    id,
    totals: new Map([['inPost', figures.inPost]]),
    dimensions: new Map([['retirement', new Map([...years.map((year, i) => [String(year), retiring[i] as number] as const), ['later', later] as const])]]),
  };
}
