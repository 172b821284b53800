import type { Viewer } from '../../subgraphs/shared/src/identity';
import { quotaBalances, quotaBalancesLive, type QuotaBalanceRow } from '../../subgraphs/staffing-quota/src/repositories/staffing';
import { countQueries } from '../helpers/query-counter';
import { startStaffing, type StaffingService } from './staffing-service';

/**
 * The quota figures cache (migration 20261129500000_quota_rollup) gives exactly the balances the
 * live computation gives, for every level and scope, after every kind of write, after standards
 * change and after the date moves past an employment's start; a current cache costs one statement.
 */
const UNITS = ['CN', '110000', '420000', '420100', '420111', '420115', '429004', '620000', '1142000201', '1142000202'];
const sorted = (rows: QuotaBalanceRow[]) => [...rows].sort((a, b) => a.orgId.localeCompare(b.orgId));

describe('quota rollup', () => {
  let s: StaffingService;
  let viewers: Viewer[];
  const knex = () => s.server.db.knex;
  const t = (table: string) => s.server.db.t(table);

  async function expectCacheEqualsLive(year = 2026): Promise<void> {
    for (const viewer of viewers) {
      const cached = sorted(await quotaBalances(s.server.db, viewer, UNITS, year));
      const live = sorted(await quotaBalancesLive(s.server.db, viewer, UNITS, year));
      expect(cached.length).toBeGreaterThan(0);
      expect([viewer.orgId, year, cached]).toEqual([viewer.orgId, year, live]);
    }
  }

  beforeAll(async () => {
    s = await startStaffing();
    viewers = [s.viewer('national_query', 'CN'), s.viewer('province_query', '420000'), s.viewer('county_query', '420115'), s.viewer('analyst', 'CN')];
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('matches the live balances for every level and scope, for this year and the last', async () => {
    await expectCacheEqualsLive(2026);
    await expectCacheEqualsLive(2025);
    const [state] = (await knex().raw(`select count(*)::int as years from ${t('quota_rollup_state')}`)).rows;
    expect(state.years).toBe(2);
  });

  it('costs one statement once current, whatever the number of units', async () => {
    await quotaBalances(s.server.db, viewers[0]!, UNITS, 2026);
    const one = await countQueries([knex()], () => quotaBalances(s.server.db, viewers[0]!, ['CN'], 2026));
    const many = await countQueries([knex()], () => quotaBalances(s.server.db, viewers[0]!, UNITS, 2026));
    expect([one.count, many.count]).toEqual([1, 1]);
  });

  it('stays exact after quota, employment, enrolment and school writes', async () => {
    await knex()(t('staffing_quota')).where({ org_id: '1142000201', year: 2026 }).update({ approved: knex().raw('approved + 7') });
    const teacher = await knex()(t('employment')).where({ org_id: '1142000201', on_quota: true }).whereNull('ends_on').first();
    await knex()(t('employment')).where('id', teacher.id).update({ ends_on: '2026-01-31' });
    await knex()(t('employment')).insert({ id: '00000000-0000-4000-8000-0000000000e1', teacher_id: teacher.teacher_id, org_id: '1142000202', on_quota: true, starts_on: '2026-02-01' });
    await knex()(t('enrolment')).where({ org_id: '1142000202', year: 2026 }).update({ students: knex().raw('students + 60') });
    await knex()(t('school_profile')).where('org_id', '1142000202').update({ locale: 'county_town' });
    await expectCacheEqualsLive(2026);
    await expectCacheEqualsLive(2025);
  });

  it('recounts every unit when a provincial standard changes', async () => {
    await knex()(t('staffing_extra_rule')).where({ province_code: '420000', kind: 'boarding' }).update({ boarders_per_staff: 25 });
    await expectCacheEqualsLive(2026);
  });

  it('counts an employment that took effect since the last read, though no write marked it', async () => {
    // Written earlier as starting later; the day has come. Inserted with triggers off, as if the
    // mark had been consumed long ago, and the cache dated before the start.
    await expectCacheEqualsLive(2026);
    await knex().transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx(t('employment')).insert({ id: '00000000-0000-4000-8000-0000000000e2', teacher_id: '00000000-0000-4000-8000-0000000000f2', org_id: '1142000201', on_quota: true, starts_on: knex().raw('current_date - 3') });
    });
    await knex()(t('quota_rollup_state')).update({ as_of: knex().raw('current_date - 10') });
    await expectCacheEqualsLive(2026);
    const [hubei] = await quotaBalances(s.server.db, viewers[0]!, ['1142000201'], 2026);
    const counted = await knex()(t('employment')).where({ org_id: '1142000201', on_quota: true }).where('starts_on', '<=', knex().raw('current_date')).where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', knex().raw('current_date'))).count<{ count: number }[]>('* as count');
    expect(hubei!.occupied).toBe(Number(counted[0]!.count));
  });
});
