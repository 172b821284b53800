import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';

/** An organisation as this subgraph knows it from its projections (org_scope, school_profile). */
export interface OrgRow {
  id: string;
  path: string;
  /** Null for administrative units. */
  stage: string | null;
  locale: string | null;
  isPublic: boolean | null;
  highQuality: boolean;
  weak: boolean;
}

/**
 * Unscoped: callers decide what the viewer may do with the unit from its path. Inside a transaction
 * pass it as `runner`: the embedded database has one backend, where a second connection would wait
 * for the open transaction.
 */
export async function findOrgsByIds(db: Db, ids: readonly string[], runner: Knex | Knex.Transaction = db.knex): Promise<OrgRow[]> {
  const knex = runner;
  return knex(db.t('org_scope as o'))
    .leftJoin(db.t('school_profile as p'), 'p.org_id', 'o.org_id')
    .select(
      'o.org_id as id',
      'o.org_path as path',
      'p.stage',
      'p.locale',
      'p.is_public as isPublic',
      knex.raw(`exists (select 1 from ${db.t('school_designation')} d where d.org_id = o.org_id and d.designation = 'high_quality') as "highQuality"`),
      knex.raw(`exists (select 1 from ${db.t('school_designation')} d where d.org_id = o.org_id and d.designation = 'weak') as "weak"`),
    )
    .whereIn('o.org_id', ids as string[]);
}
