import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { countQueries } from '../helpers/query-counter';
import { settleEvents } from '../reliability/invariants';

/** The training fields as clients see them: through the gateway, joined with the registry. */
const data = buildDemoDataset();
const school = '1142000102';
const teacher = data.teachers.find((t) => t.schoolId === school)!;

const PAGE = `query($n: Int!) { teachers(first: $n) { nodes { id name
  trainingProgress { completedHours }
  trainingCycleSummary { credits requiredCredits isMet shortfallCredits years { year credits isMet } }
  trainingRecords(filter: { source: IMPORTED }) { hours credits } } } }`;

describe('training through the gateway', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a page of 100 teachers with cycle summaries costs training the same statements as a page of 10', async () => {
    const token = await t.token('national_query', 'CN');
    const trainingKnex = t.platform.subgraphs.find((s) => s.name === 'training')!.db.knex;
    const run = (n: number) =>
      countQueries([trainingKnex], async () => {
        const { body } = await t.graphql(token, PAGE, { n });
        expect(body.errors).toBeUndefined();
        expect(body.data.teachers.nodes).toHaveLength(n);
        return body;
      });
    // Events from the registry's demo load still arrive for a while after start; their intake
    // (inbox, projections, audit) runs on the same knex, so deliver them all before counting.
    await settleEvents(t.platform.subgraphs);
    await run(10);
    const ten = await run(10);
    const hundred = await run(100);
    const requestStatements = (sql: string[]) => sql.filter((q) => !q.includes('.outbox'));
    expect(requestStatements(hundred.sql)).toHaveLength(requestStatements(ten.sql).length);
    expect(requestStatements(hundred.sql).length).toBeLessThanOrEqual(7);
  });

  it('gives subtree completion rates on OrgUnit, scoped, and children add up to the parent', async () => {
    const query = `{ orgUnit(id: "420100") { trainingCompletion { teacherCount metCount completionRate } children { id trainingCompletion { teacherCount metCount } } } }`;
    const { body } = await t.graphql(await t.token('province_query', '420000'), query);
    expect(body.errors).toBeUndefined();
    const unit = body.data.orgUnit;
    const children = unit.children.map((c: any) => c.trainingCompletion);
    expect(unit.trainingCompletion.teacherCount).toBe(children.reduce((s: number, c: any) => s + c.teacherCount, 0));
    expect(unit.trainingCompletion.metCount).toBe(children.reduce((s: number, c: any) => s + c.metCount, 0));
    // An analyst gets the met counts (small ones withheld) and no teacher totals.
    const analyst = (await t.graphql(await t.token('analyst', '420000'), query)).body.data.orgUnit;
    const figures = [analyst.trainingCompletion, ...analyst.children.map((c: any) => c.trainingCompletion)];
    const exact = [unit.trainingCompletion, ...children];
    expect(figures.some((f) => f !== null)).toBe(true);
    figures.forEach((f, i) => {
      if (f !== null) expect(f).toMatchObject({ teacherCount: null, metCount: exact[i].metCount });
    });
    const neighbour = await t.graphql(await t.token('county_query', '420111'), `{ orgUnit(id: "420115") { trainingCompletion { teacherCount } } }`);
    expect(neighbour.body.data?.orgUnit?.trainingCompletion ?? null).toBeNull();
  });

  it('runs the declaration workflow end to end and the teacher sees the credits banked', async () => {
    const teacherToken = await t.token('teacher', school, { teacher_id: teacher.id });
    const summary = async () =>
      (await t.graphql(teacherToken, `{ viewer { teacher { trainingCycleSummary { credits } creditBalance { reconciles } } } }`)).body.data.viewer.teacher;
    const before = await summary();
    const declared = await t.graphql(
      teacherToken,
      `mutation($i: DeclareTrainingInput!) { declareTraining(input: $i) { declaration { id version status } errors { code field } } }`,
      { i: { clientRequestId: 'gw-1', title: '省级骨干教师培训', form: 'CENTRALISED', organiser: '湖北省教育厅', hours: 50, completedOn: '2026-05-20', evidenceRef: 'HB-2026-77' } },
    );
    const d = declared.body.data.declareTraining.declaration;
    expect(d.status).toBe('SUBMITTED');
    const reviewed = await t.graphql(
      await t.token('school_info_admin', school),
      `mutation($i: ReviewCreditDeclarationInput!) { reviewCreditDeclaration(input: $i) { declaration { version status } errors { code } } }`,
      { i: { declarationId: d.id, version: d.version, approve: true } },
    );
    const r = reviewed.body.data.reviewCreditDeclaration.declaration;
    const decided = await t.graphql(
      await t.token('county_info_admin', '420111'),
      `mutation($i: DecideCreditDeclarationInput!) { decideCreditDeclaration(input: $i) { declaration { status credits teacher { name } } errors { code } } }`,
      { i: { declarationId: d.id, version: r.version, recognise: true } },
    );
    expect(decided.body.errors).toBeUndefined();
    expect(decided.body.data.decideCreditDeclaration.declaration).toMatchObject({ status: 'RECOGNISED', credits: 5, teacher: { name: teacher.name } });
    const after = await summary();
    expect(after.trainingCycleSummary.credits).toBeCloseTo(before.trainingCycleSummary.credits + 5, 5);
    expect(after.creditBalance.reconciles).toBe(true);
  });
});
