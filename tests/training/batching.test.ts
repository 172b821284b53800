import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { countQueries } from '../helpers/query-counter';
import { entities, startTraining, teacherRefs, type TrainingHarness } from './harness';

const data = buildDemoDataset();
const SELECTION = `
  trainingProgress { completedHours remainingHours }
  trainingCycleSummary { hours credits requiredCredits isMet shortfallCredits years { year credits isMet } }
  trainingAnnualTotals(fromYear: 2024, toYear: 2026) { year credits }
  trainingRecords(filter: { form: ONLINE }) { id credits }
  creditBalance { trainingCredits reconciles }
  creditLedger { id isConverted }
  creditDeclarations { id status credits }
  creditApplications { id }`;

describe('batched lookups', () => {
  let h: TrainingHarness;
  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a page of 100 teachers with cycle summaries costs the same number of statements as a page of 10', async () => {
    const viewer = h.viewer('national_query', 'CN');
    // Both pages include a teacher with a recognised declaration, so both need the same lookups.
    const { teacherId: declared } = await h.server.db.knex(h.server.db.t('credit_declaration')).first('teacher_id as teacherId').where('status', 'recognised');
    const others = data.teachers.map((t) => t.id).filter((id) => id !== declared);
    const run = (n: number) =>
      countQueries([h.server.db.knex], async () => {
        const body = await h.graphql(viewer, entities(SELECTION), teacherRefs([declared, ...others.slice(0, n - 1)]));
        expect(body.errors).toBeUndefined();
        expect(body.data._entities).toHaveLength(n);
        return body;
      });
    await run(10); // warm-up: nothing cached across requests, but the first request pays for pool connections
    const ten = await run(10);
    const hundred = await run(100);
    // The outbox relay polls on a timer in the background (and, in this harness without the other
    // subgraphs, records failed deliveries of the cycle verdicts training publishes for evaluation):
    // its statements are not the request's.
    const requestStatements = (sql: string[]) => sql.filter((q) => !/\.("?)outbox\b/.test(q)).length;
    expect(requestStatements(hundred.sql)).toBe(requestStatements(ten.sql));
    expect(requestStatements(hundred.sql)).toBeLessThanOrEqual(12);
  });

  it('subtree completion for many units is one aggregate statement', async () => {
    const viewer = h.viewer('national_query', 'CN');
    const units = data.orgUnits.map((o) => ({ __typename: 'OrgUnit', id: o.id }));
    const { sql, result } = await countQueries([h.server.db.knex], () =>
      h.graphql(viewer, `query($r: [_Any!]!) { _entities(representations: $r) { ... on OrgUnit { id trainingCompletion { teacherCount metCount } } } }`, { r: units }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].trainingCompletion.teacherCount).toBe(data.teachers.length);
    expect(sql.filter((q) => !/\.("?)outbox\b/.test(q)).length).toBeLessThanOrEqual(2); // the cycle, then one set-based statement for every unit
  });
});
