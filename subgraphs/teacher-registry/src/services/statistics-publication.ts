import { HierarchyPublisher, keyOfCode, unitCountsOf, type DimensionSpec, type PublicationSpec } from '../../../shared/src/hierarchy-publication';
import type { Viewer } from '../../../shared/src/identity';
import type { OrgUnitRow } from '../repositories/org-units';
import type { HeadcountRow } from '../repositories/teachers';
import type { PayBandRow } from '../repositories/statistics';

/**
 * The headcount statistics viewers who may not see persons get (shared/src/hierarchy-publication.ts
 * decides them level by level). Totals: active teachers, and every teacher (byStatus adds up to
 * it; its `active` bucket is the active total). Title × age band adds up to the title and age band
 * breakdowns. Pay bands (a separate statement) are decided only when asked for.
 */
const ACTIVE_BREAKDOWNS = ['gender', 'staffCategory', 'title', 'educationLevel', 'onQuota', 'stage', 'locale', 'subject', 'ageBand'];

export const HEADCOUNT_PUBLICATION: PublicationSpec = {
  totals: ['active', 'all'],
  dimensions: [
    ...ACTIVE_BREAKDOWNS.map((name) => ({ name, total: 'active' })),
    { name: 'status', total: 'all', linked: [{ code: 'active', total: 'active' }] },
    {
      name: 'titleAgeBand',
      total: 'active',
      // Codes `<title or empty>|<age band>`; an empty title is the title breakdown's null code.
      sides: [
        { dimension: 'title', of: (code: string) => keyOfCode(code.split('|')[0] || null) },
        { dimension: 'ageBand', of: (code: string) => code.split('|')[1] as string },
      ],
    },
  ],
};

export const PAY_BAND_PUBLICATION: DimensionSpec = { name: 'payBand', total: 'active' };

function headcountsOf(id: string, rows: readonly HeadcountRow[]) {
  return unitCountsOf(id, rows, (dimensions) => {
    const status = dimensions.get('status') ?? new Map<string, number>();
    return new Map([
      ['active', status.get('active') ?? 0],
      ['all', [...status.values()].reduce((sum, n) => sum + n, 0)],
    ]);
  });
}

export class StatisticsPublisher {
  private readonly publisher: HierarchyPublisher;

  constructor(
    viewer: Viewer,
    private readonly load: {
      unit: (id: string) => Promise<OrgUnitRow | null>;
      children: (id: string) => Promise<OrgUnitRow[]>;
      headcounts: (ids: readonly string[]) => Promise<HeadcountRow[][]>;
      payBands: (ids: readonly string[]) => Promise<PayBandRow[][]>;
    },
  ) {
    this.publisher = new HierarchyPublisher(viewer, HEADCOUNT_PUBLICATION, {
      unit: load.unit,
      children: load.children,
      counts: async (ids) => (await load.headcounts(ids)).map((rows, i) => headcountsOf(ids[i] as string, rows)),
    });
  }

  publication(unit: OrgUnitRow) {
    return this.publisher.publication(unit);
  }

  payBands(unit: OrgUnitRow) {
    return this.publisher.extra(unit, PAY_BAND_PUBLICATION, async (ids) =>
      (await this.load.payBands(ids)).map((rows, i) =>
        unitCountsOf(ids[i] as string, rows.map((r) => ({ dimension: 'payBand', code: r.code, count: r.count })), () => new Map()),
      ),
    );
  }
}
