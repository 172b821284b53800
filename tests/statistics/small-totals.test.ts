import { MIN_CELL_SIZE } from '../../subgraphs/shared/src/small-cells';
import { startRegistry, type RegistryHarness } from '../teacher-registry/harness';

/**
 * The registry's scalar totals for viewers who may not see persons (issue #7, item 3): a total of
 * 1–4 is withheld, and so is any total from which a group the breakdowns hide could be subtracted
 * back (activeTeachers − onQuota, the teachers of byStatus − activeTeachers). Record readers keep
 * exact figures. The school's data is rearranged in the database, then read both ways.
 */
const DIMENSIONS = ['byGender', 'byStaffCategory', 'byTitle', 'byEducationLevel', 'byStage', 'byLocale', 'bySubject', 'byAgeBand', 'byOnQuota', 'byPayBand'] as const;
const STATS = `query($id: ID!) { orgUnit(id: $id) { statistics { activeTeachers onQuota byStatus { code count }
  ${DIMENSIONS.map((d) => `${d} { code count }`).join(' ')} byTitleAndAgeBand { rowCode columnCode count suppressed } } } }`;
type Bucket = { code: string | null; count: number };
const sum = (buckets: Bucket[]) => buckets.reduce((s, b) => s + b.count, 0);
const small = (n: number) => n > 0 && n < MIN_CELL_SIZE;

describe('registry totals under small-cell suppression', () => {
  let h: RegistryHarness;
  let school: string;
  let active: string[];
  const knex = () => h.server.db.knex;
  const t = (table: string) => h.server.db.t(table);
  // `school_analyst`: an analyst whose scope is the school, so its figures are decided alone; for the
  // others they are decided in the county's table too (tests/statistics/differencing.test.ts).
  const read = async (role: 'county_query' | 'analyst' | 'county_system_admin' | 'school_analyst') => {
    const viewer =
      role === 'analyst' ? h.viewer('analyst', '420000') : role === 'school_analyst' ? h.viewer('analyst', school) : h.viewer(role, '420111');
    const body = await h.graphql(viewer, STATS, { id: school });
    expect(body.errors).toBeUndefined();
    return body.data.orgUnit.statistics;
  };

  beforeAll(async () => {
    h = await startRegistry();
    // The largest school of 洪山区: enough active teachers to publish, and to make small groups of.
    const [row] = await knex()(t('teacher')).select('school_id').where('status', 'active').whereLike('org_path', '%/420111/%')
      .groupBy('school_id').orderByRaw('count(*) desc').limit(1);
    school = row.school_id;
    active = (await knex()(t('teacher')).select('id').where({ school_id: school, status: 'active' }).orderBy('id')).map((r: { id: string }) => r.id);
    expect(active.length).toBeGreaterThanOrEqual(12);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('withholds onQuota when byOnQuota hides a small off-quota group, and keeps it exact for record readers', async () => {
    await knex()(t('teacher')).where('school_id', school).update({ on_quota: true });
    await knex()(t('teacher')).whereIn('id', active.slice(0, 2)).update({ on_quota: false });
    const exact = await read('county_query');
    expect([exact.activeTeachers, exact.onQuota]).toEqual([active.length, active.length - 2]);
    for (const role of ['analyst', 'county_system_admin'] as const) {
      const hidden = await read(role);
      expect(hidden.activeTeachers).toBe(active.length);
      // Off quota 2 is merged away together with on quota, so onQuota would give it back.
      expect(hidden.byOnQuota).toEqual([{ code: 'suppressed', count: active.length }]);
      expect(hidden.onQuota).toBeNull();
    }
    // With five off quota both groups are publishable, and onQuota is their `true` bucket (the
    // school on its own: among its siblings, the county's table may hide more).
    await knex()(t('teacher')).whereIn('id', active.slice(0, 5)).update({ on_quota: false });
    const analyst = await read('school_analyst');
    expect(analyst.onQuota).toBe(active.length - 5);
    expect(analyst.byOnQuota.find((b: Bucket) => b.code === 'true').count).toBe(active.length - 5);
  });

  it('never lets the teachers of byStatus less activeTeachers give back a small group that is not active', async () => {
    await knex()(t('teacher')).where({ school_id: school }).whereNot('status', 'active').update({ status: 'active' });
    const everyone = (await knex()(t('teacher')).select('id').where({ school_id: school }).orderBy('id')).map((r: { id: string }) => r.id);
    await knex()(t('teacher')).whereIn('id', everyone.slice(0, 2)).update({ status: 'retired' });
    await knex()(t('teacher')).whereIn('id', everyone.slice(2, 3)).update({ status: 'left' });
    const exact = await read('county_query');
    expect(exact.byStatus.find((b: Bucket) => b.code === 'retired').count).toBe(2);
    const analyst = await read('analyst');
    expect(analyst.activeTeachers).toBe(everyone.length - 3);
    // The active bucket stays (every breakdown adds up to it anyway); the three others are left out
    // rather than merged with it, which would publish active + 3.
    expect(analyst.byStatus).toEqual([{ code: 'active', count: everyone.length - 3 }]);
    expect(sum(analyst.byStatus) - analyst.activeTeachers).toBe(0);
    // Two more leave: five not active together, published as one merged bucket.
    await knex()(t('teacher')).whereIn('id', everyone.slice(3, 5)).update({ status: 'left' });
    const later = await read('analyst');
    expect(later.byStatus).toEqual([{ code: 'active', count: everyone.length - 5 }, { code: 'suppressed', count: 5 }]);
  });

  it('withholds a unit total of 1–4 and everything that would spell it out, for analysts and system administrators only', async () => {
    const everyone = (await knex()(t('teacher')).select('id').where({ school_id: school }).orderBy('id')).map((r: { id: string }) => r.id);
    await knex()(t('teacher')).where({ school_id: school }).update({ status: 'retired' });
    await knex()(t('teacher')).whereIn('id', everyone.slice(0, 3)).update({ status: 'active' });
    const exact = await read('county_query');
    expect([exact.activeTeachers, exact.byTitleAndAgeBand.length > 0]).toEqual([3, true]);
    for (const role of ['analyst', 'county_system_admin'] as const) {
      const hidden = await read(role);
      expect([role, hidden.activeTeachers, hidden.onQuota]).toEqual([role, null, null]);
      for (const dimension of DIMENSIONS) expect([role, dimension, hidden[dimension]]).toEqual([role, dimension, []]);
      expect(hidden.byTitleAndAgeBand).toEqual([]);
      // Three active and the rest retired: the active 3 is neither shown nor left to subtract.
      expect(hidden.byStatus.filter((b: Bucket) => b.code === 'active' || small(b.count))).toEqual([]);
      if (hidden.byStatus.some((b: Bucket) => b.code === 'retired')) expect(hidden.byStatus.some((b: Bucket) => b.code === 'suppressed')).toBe(false);
    }
    // The school on its own publishes its teachers' total, so retired and active are merged.
    expect((await read('school_analyst')).byStatus).toEqual([{ code: 'suppressed', count: everyone.length }]);
  });

  it('publishes no total or difference of totals between 1 and 4 for an analyst, whatever the unit', async () => {
    for (const unit of ['420111', '420100', '420000', '1162000104']) {
      const body = await h.graphql(h.viewer('analyst', 'CN'), STATS, { id: unit });
      const s = body.data.orgUnit.statistics;
      const figures = [s.activeTeachers, s.onQuota, ...DIMENSIONS.flatMap((d) => s[d].map((b: Bucket) => b.count)), ...s.byStatus.map((b: Bucket) => b.count)];
      expect([unit, figures.filter((n) => n !== null && small(n))]).toEqual([unit, []]);
      if (s.activeTeachers !== null && s.onQuota !== null) expect([unit, small(s.activeTeachers - s.onQuota)]).toEqual([unit, false]);
      if (s.activeTeachers !== null) expect([unit, small(sum(s.byStatus) - s.activeTeachers)]).toEqual([unit, false]);
    }
  });
});
