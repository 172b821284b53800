import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { countQueries } from '../helpers/query-counter';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const data = buildDemoDataset();
const COUNTY = '420111';
const teacher = data.teachers.find((t) => t.orgPath.includes(`/${COUNTY}/`))!;

const QUERY = `#graphql
  query ($id: ID!) {
    teacher(id: $id) {
      trainingProgress { completedHours cycle { id startsOn endsOn requiredHours } }
      registrationEligibility { status reasons trainingHours requiredHours registration { deadline stage } }
      ethicsBans { inForce }
    }
  }`;

describe('registration through the gateway: training hours arrive by @requires', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the eligibility counts exactly the hours the training subgraph reports', async () => {
    const { body } = await t.graphql(await t.token('county_info_admin', COUNTY), QUERY, { id: teacher.id });
    expect(body.errors).toBeUndefined();
    const { trainingProgress, registrationEligibility } = body.data.teacher;
    expect(registrationEligibility).toMatchObject({
      trainingHours: trainingProgress.completedHours,
      requiredHours: trainingProgress.cycle.requiredHours,
      registration: { deadline: '2028-12-31', stage: 'OPEN' },
    });
    const short = trainingProgress.completedHours < trainingProgress.cycle.requiredHours;
    expect(registrationEligibility.reasons.some((r: string) => r.includes('training hours the cycle requires'))).toBe(short);
  });

  it('a page of teachers costs the evaluation subgraph the same statements for 5 as for 50', async () => {
    const token = await t.token('county_info_admin', COUNTY);
    const page = (n: number) =>
      t.graphql(token, `{ teachers(first: ${n}) { nodes { registrationEligibility { status } annualAssessments { year } } } }`);
    const evaluation = t.platform.subgraphs.find((s) => s.name === 'evaluation')!;
    const small = await countQueries([evaluation.db.knex], () => page(5));
    const large = await countQueries([evaluation.db.knex], () => page(50));
    expect(small.result.body.errors).toBeUndefined();
    expect(large.result.body.data.teachers.nodes).toHaveLength(50);
    if (process.env.EVALUATION_MEASURE) process.stdout.write(`evaluation SQL statements: 5 teachers ${small.count}, 50 teachers ${large.count}\n`);
    expect(large.count).toBe(small.count);
  });
});
