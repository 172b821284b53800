import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { schoolStandardSql } from './standards';

/**
 * The quota figures cache (`quota_rollup`, see migration 20261129500000_quota_rollup): per unit and
 * year its own approved quota, on-quota staff, students and standard quota, computed by the same SQL
 * the live balance used, so a subtree's balance is a sum over a path prefix.
 */

/** Per-unit figures of `year` for the units `orgIds` (null: every unit), written into the cache. */
async function writeFigures(trx: Knex.Transaction, db: Db, year: number, orgIds: string[] | null): Promise<void> {
  const standard = schoolStandardSql(db, year, '/%', orgIds);
  await trx.raw(`delete from ${db.t('quota_rollup')} where year = ?${orgIds ? ' and org_id = any(?)' : ''}`, orgIds ? [year, orgIds] : [year]);
  // Occupancy is counted on 31 December, or today while the year is still running.
  await trx.raw(
    `with school_standard as (${standard.sql})
     insert into ${db.t('quota_rollup')} (org_id, year, org_path, approved, occupied, standard, students)
     select o.org_id, ?, o.org_path,
       coalesce((select q.approved from ${db.t('staffing_quota')} q where q.org_id = o.org_id and q.year = ?), 0),
       (select count(*) from ${db.t('employment')} e
         where e.org_id = o.org_id and e.on_quota
           and e.starts_on <= least(make_date(?, 12, 31), current_date)
           and (e.ends_on is null or e.ends_on >= least(make_date(?, 12, 31), current_date))),
       coalesce(s.standard, 0), coalesce(s.students, 0)
     from ${db.t('org_scope')} o
     left join school_standard s on s.org_id = o.org_id
     ${orgIds ? 'where o.org_id = any(?)' : ''}`,
    [...standard.bindings, year, year, year, year, ...(orgIds ? [orgIds] : [])],
  );
}

/**
 * Brings the cache up to date for `year`: computes the year if it is not cached, marks units whose
 * occupancy changed because the date moved (an on-quota employment started or ended since the
 * year's `as_of`), and recomputes every unit marked dirty by a write, for every cached year. One
 * refresh at a time (advisory lock); marks written meanwhile stay for the next one.
 */
export async function refreshQuotaRollup(db: Db, year: number): Promise<void> {
  await db.knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`${db.schema}.quota_rollup`]);
    const today: string = (await trx.raw('select current_date::text as today')).rows[0].today;
    const cached: { year: number; as_of: string }[] = (await trx.raw(`select year, as_of::text from ${db.t('quota_rollup_state')}`)).rows;
    const stale = cached.filter((c) => c.as_of < today);
    if (stale.length > 0) {
      const since = stale.map((c) => c.as_of).sort()[0] as string;
      await trx.raw(
        `insert into ${db.t('quota_rollup_dirty')} (org_id)
         select distinct org_id from ${db.t('employment')}
          where on_quota and ((starts_on > ?::date and starts_on <= ?::date) or (ends_on >= ?::date and ends_on < ?::date))`,
        [since, today, since, today],
      );
      await trx.raw(`update ${db.t('quota_rollup_state')} set as_of = ? where as_of < ?`, [today, today]);
    }
    if (!cached.some((c) => Number(c.year) === year)) {
      await writeFigures(trx, db, year, null);
      await trx.raw(`insert into ${db.t('quota_rollup_state')} (year, as_of) values (?, ?)`, [year, today]);
    }
    const dirty: { seq: string; org_id: string }[] = (await trx.raw(`select seq, org_id from ${db.t('quota_rollup_dirty')}`)).rows;
    if (dirty.length === 0) return;
    const orgIds = [...new Set(dirty.map((d) => d.org_id))];
    const years: number[] = (await trx.raw(`select year from ${db.t('quota_rollup_state')}`)).rows.map((r: { year: number }) => Number(r.year));
    for (const y of years) await writeFigures(trx, db, y, orgIds);
    await trx.raw(`delete from ${db.t('quota_rollup_dirty')} where seq = any(?::bigint[])`, [dirty.map((d) => d.seq)]);
  });
}

export interface QuotaSums {
  orgId: string;
  approved: number;
  occupied: number;
  standard: number;
  students: number;
}

/**
 * Sums of the cached figures under each requested unit within the viewer's scope, in one
 * statement; null when the cache is not current (a write since, a new day, a year not cached), so
 * the caller refreshes and asks again.
 */
export async function sumQuotaRollup(db: Db, year: number, orgIds: readonly string[], scope: string): Promise<QuotaSums[] | null> {
  const result = await db.knex.raw(
    `with st as (
       select coalesce((select as_of = current_date from ${db.t('quota_rollup_state')} where year = ?), false)
          and not exists (select 1 from ${db.t('quota_rollup_dirty')}) as fresh)
     select r.org_id as "orgId", sum(f.approved)::int as approved, sum(f.occupied)::int as occupied,
       sum(f.standard)::int as standard, sum(f.students)::int as students, true as fresh
     from st, ${db.t('org_scope')} r
     join ${db.t('quota_rollup')} f on f.year = ? and f.org_path like r.org_path || '%' and f.org_path like ?
     where st.fresh and r.org_id = any(?) and r.org_path like ?
     group by r.org_id
     union all
     select null, null, null, null, null, false from st where not st.fresh`,
    [year, year, scope, [...orgIds], scope],
  );
  const rows = result.rows as (QuotaSums & { fresh: boolean })[];
  if (rows.some((r) => !r.fresh)) return null;
  return rows.map(({ fresh: _fresh, ...r }) => r);
}
