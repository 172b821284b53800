import type { Db } from '../../../shared/src/db';
import { hasAggregateScope, inSubtreeSql, likePrefix } from '../../../shared/src/org-scope';
import { levelOfOrgCode, type Viewer } from '../../../shared/src/identity';
import { ROLLUP_DIMENSIONS } from '../db/migrations/20261129500000_headcount_rollup';
import type { HeadcountRow } from './teachers';

/**
 * Reads subtree headcounts from `headcount_rollup` (see its migration): one row per unit holding
 * schools, dimension and code, summed over the asked unit's path prefix and the viewer's scope.
 *
 * The rollup's grain is the unit that holds the schools, so it answers for units above school level
 * and for viewers whose scope is such a unit or wider. A school, or a viewer scoped to one school,
 * is left to the live query (a school's teachers are few). The nation and provinces, asked by a
 * viewer scoped to a province or wider, sum the province rows (migration 20261129500100). Before
 * reading, `headcount_rollup_prepare()` moves age bands to today and re-sums provinces written since.
 */
export async function headcountsFromRollup(
  db: Db,
  viewer: Viewer,
  unitIds: readonly string[],
  dimensions: ReadonlySet<HeadcountRow['dimension']>,
): Promise<{ rows: HeadcountRow[]; servedUnits: Set<string>; servedDimensions: Set<HeadcountRow['dimension']> }> {
  const servedDimensions = new Set(ROLLUP_DIMENSIONS.filter((d) => dimensions.has(d)));
  const viewerScopeCode = viewer.orgPath.split('/').filter(Boolean).at(-1) ?? '';
  const units = unitIds.filter((id) => levelOfOrgCode(id) !== 'school');
  // Without aggregate scope the live query answers nothing; a school-level scope is finer than the rollup.
  if (!hasAggregateScope(viewer) || levelOfOrgCode(viewerScopeCode) === 'school' || units.length === 0 || servedDimensions.size === 0) {
    return { rows: [], servedUnits: new Set(), servedDimensions };
  }
  await db.knex.raw(`select "${db.schema}".headcount_rollup_prepare()`);
  // The nation and provinces sum province rows when the viewer's scope is itself a province or wider.
  const wideScope = ['national', 'province'].includes(levelOfOrgCode(viewerScopeCode) ?? '');
  const top = wideScope ? units.filter((id) => ['national', 'province'].includes(levelOfOrgCode(id) ?? '')) : [];
  const lower = units.filter((id) => !top.includes(id));
  const scope = likePrefix(viewer.orgPath);
  const dims = [...servedDimensions];
  const result = await db.knex.raw(
    `select u.id as "unitId", p.dimension, p.code, sum(p.count)::int as count
       from ${db.t('org_unit')} u
       join ${db.t('headcount_rollup_province')} p on ${inSubtreeSql('p.province_path', 'u.path')}
      where u.id = any(?) and p.province_path like ? and p.dimension = any(?)
      group by u.id, p.dimension, p.code
     having sum(p.count) > 0
     union all
     select u.id, r.dimension, r.code, sum(r.count)::int
       from ${db.t('org_unit')} u
       join ${db.t('headcount_rollup')} r on ${inSubtreeSql('r.unit_path', 'u.path')}
      where u.id = any(?) and r.unit_path like ? and r.dimension = any(?)
      group by u.id, r.dimension, r.code
     having sum(r.count) > 0`,
    [top, scope, dims, lower, scope, dims],
  );
  return { rows: result.rows as HeadcountRow[], servedUnits: new Set(units), servedDimensions };
}
