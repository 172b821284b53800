import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { countQueries } from '../helpers/query-counter';
import { startStaffing, TEACHER_ENTITIES, teacherReps, type StaffingService } from './staffing-service';

const data = buildDemoDataset();
const hubei = data.teachers.filter((t) => t.orgPath.startsWith('/CN/420000/'));

describe('batching', () => {
  let s: StaffingService;
  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('answers the staffing part of 100 archives in as many statements as 10', async () => {
    const fields = 'employments { onQuota employer { id } } postAppointments { grade } rotations { id } ruralOrWeakSchoolServiceYears';
    const run = (n: number) =>
      countQueries([s.server.db.knex], () => s.call(s.viewer('province_query', '420000'), TEACHER_ENTITIES(fields), teacherReps(hubei.slice(0, n).map((t) => t.id))));
    const ten = await run(10);
    const hundred = await run(100);
    expect(hundred.result.errors).toBeUndefined();
    expect(hundred.result.data._entities.filter(Boolean)).toHaveLength(100);
    expect(hundred.count).toBe(ten.count);
    expect(hundred.count).toBe(5); // scope, employments, appointments, rotations, service years
  });

  it('answers enrolment, post plans and balances of every school in constant statements', async () => {
    const schools = data.orgUnits.filter((o) => o.level === 'school').map((o) => ({ __typename: 'OrgUnit', id: o.id }));
    const ask = (reps = schools) =>
      s.call(s.viewer('national_query', 'CN'), `#graphql
        query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id
          staffingQuota(year: 2026) { standard version } enrolment(year: 2026) { students } postPlan(year: 2026) { ceiling } } } }`, { reps });
    // The first read after a write brings the quota figures cache (quota_rollup) up to date; counted: a current cache.
    await ask();
    const { result, count } = await countQueries([s.server.db.knex], ask);
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.every((u: any) => u.staffingQuota && u.enrolment)).toBe(true);
    expect(result.data._entities.some((u: any) => u.staffingQuota.version !== null)).toBe(true);
    expect(count).toBe(5); // balances, quota versions, enrolment rows, enrolment versions, post plans
    expect(schools.length).toBeGreaterThan(10);
    const few = await countQueries([s.server.db.knex], () => ask(schools.slice(0, 10)));
    expect(few.result.errors).toBeUndefined();
    expect(few.count).toBe(count);
  });
});
