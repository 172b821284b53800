import { randomUUID } from 'node:crypto';
import { describeOnPostgres } from '../helpers/database';
import { forecastCountsSettled, forecastFigures, retirementFiguresOfMany } from '../../subgraphs/staffing-quota/src/repositories/forecast-rollup';
import { projectStages, retirementsByYear } from '../../subgraphs/staffing-quota/src/repositories/forecast';
import { countQueries } from '../helpers/query-counter';
import { startStaffing, type StaffingService } from './staffing-service';

/**
 * The demand forecast cache (migration 20261130600000_forecast_rollup) gives exactly the figures
 * the live queries of forecast.ts give, for every demo unit, after every kind of write that changes
 * them: teacher moves, retirements, new teachers, enrolment and school changes, a teacher employed
 * in two units, changed ratios and retirement rules; a current cache costs one statement.
 */
const YEARS = 10;

describe('forecast rollup', () => {
  let s: StaffingService;
  let units: { org_id: string; org_path: string }[];
  const knex = () => s.server.db.knex;
  const t = (table: string) => s.server.db.t(table);

  async function expectCacheEqualsLive(baseYear = 2026): Promise<void> {
    let nonEmpty = 0;
    for (const unit of units) {
      const cached = await forecastFigures(s.server.db, unit.org_path, baseYear, YEARS);
      const [stages, retirements] = await Promise.all([
        projectStages(s.server.db, unit.org_path, baseYear, YEARS),
        retirementsByYear(s.server.db, unit.org_path, baseYear, YEARS),
      ]);
      const shape = (f: { inPost: number; byYear: Map<number, number> }) => ({ inPost: f.inPost, byYear: [...f.byYear].sort((a, b) => a[0] - b[0]) });
      expect([unit.org_id, cached.stages, shape(cached)]).toEqual([unit.org_id, stages, shape(retirements)]);
      if (stages.length > 0 && retirements.inPost > 0) nonEmpty += 1;
    }
    // The comparison means something: many units have pupils and teachers.
    expect(nonEmpty).toBeGreaterThan(5);
    // The siblings' figures of the level-by-level suppression: every unit at once, the same numbers.
    const many = await retirementFiguresOfMany(s.server.db, units.map((u) => u.org_path), baseYear, YEARS);
    for (const [i, unit] of units.entries()) {
      const live = await retirementsByYear(s.server.db, unit.org_path, baseYear, YEARS);
      const shape = (f: { inPost: number; byYear: Map<number, number> }) => ({ inPost: f.inPost, byYear: [...f.byYear].sort((a, b) => a[0] - b[0]) });
      expect([unit.org_id, shape(many[i] as { inPost: number; byYear: Map<number, number> })]).toEqual([unit.org_id, shape(live)]);
    }
  }

  beforeAll(async () => {
    s = await startStaffing();
    units = (await knex()(t('org_scope')).select('org_id', 'org_path').orderBy('org_path')) as { org_id: string; org_path: string }[];
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('matches the live forecast for every demo unit, for two base years', async () => {
    expect(units.length).toBeGreaterThan(20);
    // A base year not cached yet is answered live while its first count runs in the background.
    await expectCacheEqualsLive(2026);
    await forecastCountsSettled();
    await expectCacheEqualsLive(2026);
    await expectCacheEqualsLive(2025);
    await forecastCountsSettled();
    await expectCacheEqualsLive(2025);
    const [state] = (await knex().raw(`select count(*)::int as years from ${t('forecast_rollup_state')}`)).rows;
    expect(state.years).toBe(2);
  });

  it('costs one statement once current, for the nation and for a county', async () => {
    await forecastFigures(s.server.db, '/CN/', 2026, 5);
    const nation = await countQueries([knex()], () => forecastFigures(s.server.db, '/CN/', 2026, 5));
    const county = units.find((u) => u.org_id === '420115')!;
    const local = await countQueries([knex()], () => forecastFigures(s.server.db, county.org_path, 2026, 5));
    expect([nation.count, local.count]).toEqual([1, 1]);
    // A level of siblings is one statement per table too (provinces read province sums).
    const provinces = units.filter((u) => u.org_path.split('/').filter(Boolean).length === 2).map((u) => u.org_path);
    const counties = units.filter((u) => u.org_path.split('/').filter(Boolean).length === 4).map((u) => u.org_path);
    expect(provinces.length).toBeGreaterThan(1);
    expect(counties.length).toBeGreaterThan(1);
    const levels = await countQueries([knex()], async () => {
      await retirementFiguresOfMany(s.server.db, provinces, 2026, 5);
      await retirementFiguresOfMany(s.server.db, counties, 2026, 5);
    });
    expect(levels.count).toBe(2);
  });

  it('stays exact after teacher moves, retirements, new teachers and enrolment changes', async () => {
    // A teacher moves from one school to another (Hubei → Gansu: two provinces' sums change).
    const moving = await knex()(t('employment')).where({ org_id: '1142000201' }).whereNull('ends_on').first();
    await knex()(t('employment')).where('id', moving.id).update({ ends_on: '2026-06-30' });
    await knex()(t('employment')).insert({ id: randomUUID(), teacher_id: moving.teacher_id, org_id: '1162000104', on_quota: true, starts_on: '2026-07-01' });
    await expectCacheEqualsLive(2026);

    // A teacher retires (employment ends before September), another's birth date is corrected
    // so that they retire within the window, and one with no profile gets one.
    const retiring = await knex()(t('employment')).where({ org_id: '1142000202' }).whereNull('ends_on').first();
    await knex()(t('employment')).where('id', retiring.id).update({ ends_on: '2026-08-31' });
    const corrected = await knex()(t('employment')).where({ org_id: '1142000202' }).whereNull('ends_on').first();
    await knex()(t('teacher_profile')).insert({ teacher_id: corrected.teacher_id, birth_date: '1968-03-15', gender: 2 }).onConflict('teacher_id').merge();
    await expectCacheEqualsLive(2026);

    // New teachers: one with a profile, one without (in post, no retirement year).
    const newcomer = randomUUID();
    await knex()(t('teacher_profile')).insert({ teacher_id: newcomer, birth_date: '1966-11-02', gender: 1 });
    await knex()(t('employment')).insert([
      { id: randomUUID(), teacher_id: newcomer, org_id: '1162000104', on_quota: true, starts_on: '2026-09-01' },
      { id: randomUUID(), teacher_id: randomUUID(), org_id: '1142000201', on_quota: false, starts_on: '2020-09-01' },
    ]);
    // Enrolment: more pupils in one grade, a new grade row, a grade removed.
    await knex()(t('enrolment')).where({ org_id: '1142000202', year: 2026 }).update({ students: knex().raw('students + 17') });
    const any = await knex()(t('enrolment')).where({ year: 2026 }).whereNot('org_id', '1142000202').first();
    await knex()(t('enrolment')).where({ org_id: any.org_id, year: 2026, stage: any.stage, grade: any.grade }).delete();
    await expectCacheEqualsLive(2026);
    await expectCacheEqualsLive(2025);
  });

  it('stays exact after a school changes locale and a teacher holds posts in two units', async () => {
    await knex()(t('school_profile')).where('org_id', '1142000202').update({ locale: 'county_town' });
    // Counted once in a subtree holding both units: the reader counts such subtrees live.
    const teacher = await knex()(t('employment')).where({ org_id: '1142000201' }).whereNull('ends_on').first();
    await knex()(t('employment')).insert({ id: randomUUID(), teacher_id: teacher.teacher_id, org_id: '1142000202', on_quota: false, starts_on: '2025-09-01' });
    await expectCacheEqualsLive(2026);
    const [shared] = (await knex().raw(`select count(*)::int as n from ${t('forecast_rollup_shared')} where base_year = 2026`)).rows;
    expect(shared.n).toBeGreaterThan(0);
  });

  it('recounts every unit when a ratio or a retirement rule changes', async () => {
    await knex()(t('staffing_standard')).where({ stage: 'primary' }).update({ students_per_staff: knex().raw('students_per_staff + 1') });
    await expectCacheEqualsLive(2026);
    await knex()(t('retirement_rule')).where({ gender: 2 }).update({ base_age: 58 });
    await expectCacheEqualsLive(2026);
  });
});

/**
 * A long first count holds the cache's lock: readers meanwhile answer from the live queries at
 * once instead of queueing behind it (and past the gateway's deadline). Needs a second session
 * holding the lock, so PostgreSQL only (the embedded database has one session).
 */
describeOnPostgres('forecast rollup while another refresh holds the cache', () => {
  let s: StaffingService;
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('answers live without waiting, for a base year not counted yet and for a counted one with a write pending, and counts the new year afterwards', async () => {
    const db = s.server.db;
    await forecastFigures(db, '/CN/', 2026, 5);
    await forecastCountsSettled();
    const live = async (path: string, year: number) => {
      const [stages, retirements] = await Promise.all([projectStages(db, path, year, 5), retirementsByYear(db, path, year, 5)]);
      return { stages, inPost: retirements.inPost, byYear: [...retirements.byYear].sort() };
    };
    const shape = (f: Awaited<ReturnType<typeof forecastFigures>>) => ({ stages: f.stages, inPost: f.inPost, byYear: [...f.byYear].sort() });

    const holder = await db.knex.client.acquireConnection();
    try {
      await holder.query({ text: 'select pg_advisory_lock(hashtext($1))', values: [`${db.schema}.forecast_rollup`] });
      // A write is pending for the counted year, and 2024 has never been counted.
      const employment = await db.knex(db.t('employment')).whereNull('ends_on').first();
      await db.knex(db.t('employment')).where('id', employment.id).update({ ends_on: '2026-06-30' });
      // The lock is released only after these reads: had they queued behind it, they would never return.
      expect(shape(await forecastFigures(db, '/CN/', 2026, 5))).toEqual(await live('/CN/', 2026));
      expect(shape(await forecastFigures(db, '/CN/', 2024, 5))).toEqual(await live('/CN/', 2024));
    } finally {
      await holder.query({ text: 'select pg_advisory_unlock(hashtext($1))', values: [`${db.schema}.forecast_rollup`] });
      await db.knex.client.releaseConnection(holder);
    }
    await forecastCountsSettled();
    const [state] = (await db.knex.raw(`select count(*)::int as years from ${db.t('forecast_rollup_state')} where base_year = 2024`)).rows;
    expect(state.years).toBe(1);
    expect(shape(await forecastFigures(db, '/CN/', 2024, 5))).toEqual(await live('/CN/', 2024));
    expect(shape(await forecastFigures(db, '/CN/', 2026, 5))).toEqual(await live('/CN/', 2026));
  });
});
