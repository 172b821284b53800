import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { hasAggregateScope, inSubtreeSql, likePrefix } from '../../../shared/src/org-scope';

export interface MobilityRow {
  orgId: string;
  /** `unit` marks a requested unit inside the viewer's scope (its figures may all be zero). */
  dimension: 'unit' | 'transferKind' | 'transferDirection' | 'rotationKind' | 'rotationStatus';
  code: string;
  count: number;
}

/**
 * Mobility of several subtrees in one year [人员流动], in one statement: completed transfers effective
 * that year whose releasing or receiving unit lies in the subtree (by kind, and by direction: into
 * the subtree, out of it, or within it), and rotation assignments starting that year whose home
 * school lies in the subtree (by kind and by status). Units outside the viewer's subtree give no
 * rows; the figures are counts only (aggregate scope: analysts may read them).
 */
export async function mobilityByOrgIds(db: Db, viewer: Viewer, orgIds: readonly string[], year: number): Promise<MobilityRow[]> {
  if (!hasAggregateScope(viewer)) return [];
  const scope = likePrefix(viewer.orgPath);
  const result = await db.knex.raw(
    `with units as (select org_id, org_path from ${db.t('org_scope')} where org_id = any(?) and org_path like ?),
     moves as (
       select u.org_id, t.kind,
              case when f.org_path like u.org_path || '%' and r.org_path like u.org_path || '%' then 'within'
                   when r.org_path like u.org_path || '%' then 'in' else 'out' end as direction
         from units u
         join ${db.t('transfer')} t on t.status = 'completed'
              and t.effective_on >= make_date(?::int, 1, 1) and t.effective_on < make_date(?::int + 1, 1, 1)
         left join ${db.t('org_scope')} f on f.org_id = t.from_org_id
         left join ${db.t('org_scope')} r on r.org_id = t.to_org_id
        where f.org_path like u.org_path || '%' or r.org_path like u.org_path || '%'),
     rotations as (
       select u.org_id, a.kind, a.status
         from units u
         join ${db.t('org_scope')} h on ${inSubtreeSql('h.org_path', 'u.org_path')}
         join ${db.t('rotation_assignment')} a on a.home_org_id = h.org_id
              and a.starts_on >= make_date(?::int, 1, 1) and a.starts_on < make_date(?::int + 1, 1, 1))
     select org_id as "orgId", 'unit' as dimension, 'in_scope' as code, 0 as count from units
     union all select org_id, 'transferKind', kind, count(*)::int from moves group by org_id, kind
     union all select org_id, 'transferDirection', direction, count(*)::int from moves group by org_id, direction
     union all select org_id, 'rotationKind', kind, count(*)::int from rotations group by org_id, kind
     union all select org_id, 'rotationStatus', status, count(*)::int from rotations group by org_id, status`,
    [[...orgIds], scope, year, year, year, year],
  );
  return result.rows as MobilityRow[];
}

