import { randomUUID } from 'node:crypto';
import { startStaffing, type StaffingService } from './staffing-service';
import { workOutSums } from '../helpers/reader';

const KINDERGARTEN = '1162000104'; // 通渭县马营镇中心幼儿园, Gansu, rural
const RURAL_PRIMARY = '1142000202'; // 江夏区山坡中心小学, Hubei

const FORECAST = `#graphql
  query ($unit: ID!, $base: Int!, $years: Int) {
    staffingDemandForecast(orgUnitId: $unit, baseYear: $base, years: $years) {
      unit { id } baseYear teachersInPost
      years { year students teachersRequired retirements teachersAvailable gap stages { stage students teachersRequired } }
    }
  }`;
const RECORD = `#graphql
  mutation ($input: RecordEnrolmentInput!) { recordEnrolment(input: $input) { errors { code field } } }`;

describe('demand forecast', () => {
  let s: StaffingService;
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('matches a small hand-checked example: cohort progression, kindergarten ratio, retirements by the 2025 rules', async () => {
    const { knex } = s.server.db;
    const t = s.server.db.t;
    // Replace the kindergarten's staff with five teachers whose retirement years are worked out by hand.
    await knex(t('employment')).where('org_id', KINDERGARTEN).update({ ends_on: '2029-12-31' });
    const staff: [string, 1 | 2][] = [
      ['1960-01-01', 2], // woman, 55 long ago: overdue, counted in the first forecast year (2031)
      ['1977-02-10', 2], // 85 months after 1970-01 → +22 months → 56y10m → 2033-12
      ['1972-05-20', 1], // 88 months after 1965-01 → +23 months → 61y11m → 2034-04
      ['1978-03-01', 2], // 98 months → +25 months → 57y1m → 2035-04
      ['1985-01-01', 1], // +36 months (the cap) → 63 → 2048, outside the window
    ];
    for (const [birthDate, gender] of staff) {
      const id = randomUUID();
      await knex(t('teacher_profile')).insert({ teacher_id: id, birth_date: birthDate, gender });
      await knex(t('employment')).insert({ id: randomUUID(), teacher_id: id, org_id: KINDERGARTEN, on_quota: true, starts_on: '2010-09-01' });
    }
    const rows = [30, 28, 25].map((students, i) => ({ stage: 'KINDERGARTEN', grade: i + 1, students, classes: 1, boarders: 0 }));
    expect((await s.call(s.viewer('county_info_admin', '621121'), RECORD, { input: { schoolId: KINDERGARTEN, year: 2030, rows } })).data.recordEnrolment.errors).toEqual([]);

    const body = await s.call(s.viewer('county_query', '621121'), FORECAST, { unit: KINDERGARTEN, base: 2030 });
    expect(body.errors).toBeUndefined();
    const forecast = body.data.staffingDemandForecast;
    expect(forecast).toMatchObject({ unit: { id: KINDERGARTEN }, baseYear: 2030, teachersInPost: 5 });
    // Intake held at 30: 2031 = 30 + 30 + 28 = 88 → 88 / 7 = 12.6 → 13; from 2032 on 90 → 12.9 → 13.
    expect(forecast.years.map((y: any) => [y.year, y.students, y.teachersRequired, y.retirements, y.teachersAvailable, y.gap])).toEqual([
      [2031, 88, 13, 1, 4, 9],
      [2032, 90, 13, 0, 4, 9],
      [2033, 90, 13, 1, 3, 10],
      [2034, 90, 13, 1, 2, 11],
      [2035, 90, 13, 1, 1, 12],
    ]);
    expect(forecast.years[0].stages).toEqual([{ stage: 'KINDERGARTEN', students: 88, teachersRequired: 13 }]);

    // An analyst may not single anybody out: every year retires 0 or 1 of five teachers, so each
    // retirement is withheld, and so is every teachersAvailable (and gap) after the first, which
    // the differences between years would give back; enrolment and requirements stay. Below the
    // top of the analyst's scope the teachers in post are the registry's to publish (a teacher
    // count), so they and everything computed from them are null there.
    const expected = [
      [2031, 88, 13, null, null, null],
      [2032, 90, 13, 0, null, null],
      [2033, 90, 13, null, null, null],
      [2034, 90, 13, null, null, null],
      [2035, 90, 13, null, null, null],
    ];
    const row = (y: any) => [y.year, y.students, y.teachersRequired, y.retirements, y.teachersAvailable, y.gap];
    const analyst = (await s.call(s.viewer('analyst', '620000'), FORECAST, { unit: KINDERGARTEN, base: 2030 })).data.staffingDemandForecast;
    expect(analyst.teachersInPost).toBeNull();
    expect(analyst.years.map(row)).toEqual(expected);
    // An analyst whose scope is the kindergarten itself gets its teachers in post (5).
    const own = (await s.call(s.viewer('analyst', KINDERGARTEN), FORECAST, { unit: KINDERGARTEN, base: 2030 })).data.staffingDemandForecast;
    expect(own.teachersInPost).toBe(5);
    expect(own.years.map(row)).toEqual(expected);
  });

  it('projects a primary school cohort by cohort at county level', async () => {
    const rows = [60, 50, 40, 30, 20, 10].map((students, i) => ({ stage: 'PRIMARY', grade: i + 1, students, classes: 2, boarders: 0 }));
    expect((await s.call(s.viewer('county_info_admin', '420115'), RECORD, { input: { schoolId: RURAL_PRIMARY, year: 2040, rows } })).data.recordEnrolment.errors).toEqual([]);
    const body = await s.call(s.viewer('city_query', '420100'), FORECAST, { unit: '420115', base: 2040 });
    const years = body.data.staffingDemandForecast.years;
    // 2041: 60 60 50 40 30 20 = 260 → 260 / 19 = 13.7 → 14; 2042: 300 → 15.8 → 16; 2043: 330 → 17.4 → 18;
    // 2044: 350 → 18.4 → 19; 2045: 360 → 18.9 → 19.
    expect(years.map((y: any) => [y.year, y.students, y.teachersRequired])).toEqual([
      [2041, 260, 14],
      [2042, 300, 16],
      [2043, 330, 18],
      [2044, 350, 19],
      [2045, 360, 19],
    ]);
    const inPost = body.data.staffingDemandForecast.teachersInPost;
    let available = inPost;
    for (const y of years) {
      available -= y.retirements;
      expect(y.teachersAvailable).toBe(available);
      expect(y.gap).toBe(y.teachersRequired - available);
    }
  });

  it('gives an analyst no retirements of 1–4 by subtracting a county\'s schools from the county', async () => {
    // Every unit of one county and the county itself, as an analyst reads them; then a reader
    // solves the sums they obey: each unit's retirements per year and those retiring later add up
    // to its teachers in post, teachers available in a year are those in post less the retirements
    // so far, and the county's figures are its schools' added up.
    const county = '420111';
    const units = (await s.server.db.knex(s.server.db.t('org_scope')).select('org_id').whereLike('org_path', `%/${county}/%`)).map((r: { org_id: string }) => r.org_id);
    const read = async (viewer: ReturnType<StaffingService['viewer']>) =>
      new Map(
        await Promise.all(
          units.map(async (id) => [id, (await s.call(viewer, FORECAST, { unit: id, base: 2025, years: 10 })).data.staffingDemandForecast] as const),
        ),
      );
    const exact = await read(s.viewer('county_query', county));
    const shown = await read(s.viewer('analyst', 'CN'));
    const known = new Set<string>();
    const value = new Map<string, number>();
    const groups: string[][] = [];
    const schools = units.filter((id) => id !== county);
    for (const id of units) {
      const e = exact.get(id);
      const a = shown.get(id);
      value.set(`${id}:inPost`, e.teachersInPost);
      if (a.teachersInPost !== null) known.add(`${id}:inPost`);
      const years = e.years.map((y: any) => y.year);
      let retired = 0;
      e.years.forEach((y: any, i: number) => {
        value.set(`${id}:${y.year}`, y.retirements);
        retired += y.retirements;
        if (a.years[i].retirements !== null) known.add(`${id}:${y.year}`);
        if (a.years[i].teachersAvailable !== null) {
          known.add(`${id}:available:${y.year}`);
          groups.push([`${id}:inPost`, ...years.slice(0, i + 1).map((yy: number) => `${id}:${yy}`), `${id}:available:${y.year}`]);
        }
        value.set(`${id}:available:${y.year}`, y.teachersAvailable);
      });
      value.set(`${id}:later`, e.teachersInPost - retired);
      groups.push([`${id}:inPost`, ...years.map((y: number) => `${id}:${y}`), `${id}:later`]);
    }
    for (const name of ['inPost', 'later', ...exact.get(county).years.map((y: any) => String(y.year))]) groups.push([`${county}:${name}`, ...schools.map((id) => `${id}:${name}`)]);
    for (const [name, n] of value) if (n === 0) known.add(name);
    workOutSums(groups, known);
    const small = (n: number) => n > 0 && n < 5;
    const isRetirement = (name: string) => /:\d{4}$/.test(name) || name.endsWith(':inPost');
    expect([...known].filter((name) => isRetirement(name) && small(value.get(name) ?? 0))).toEqual([]);
    // The county has small retirement years in the demo data: the check has something to find.
    expect(schools.flatMap((id) => exact.get(id).years.filter((y: any) => small(y.retirements))).length).toBeGreaterThan(0);
  });

  it('is scoped, validated and closed to persons', async () => {
    const outside = await s.call(s.viewer('county_query', '420111'), FORECAST, { unit: '420115', base: 2040 });
    expect(outside.data.staffingDemandForecast).toBeNull();
    const tooLong = await s.call(s.viewer('analyst', 'CN'), FORECAST, { unit: '420115', base: 2040, years: 11 });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'years' });
    const teacher = await s.call(s.viewer('teacher', '1142000202', { teacherId: randomUUID() }), FORECAST, { unit: '420115', base: 2040 });
    expect(teacher.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
