import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import type { CycleSummaryFact } from '../../subgraphs/shared/src/events';
import { startTraining, type TrainingHarness } from './harness';

/**
 * Issue #6: training publishes each teacher's cycle verdicts (training.cycle-summaries-changed) for
 * evaluation, in the transaction of every credit-bank change, with the same figures as
 * Teacher.trainingCycleSummary. Evaluation's registration and award gates read them.
 */
const data = buildDemoDataset();
const school = '1142000101'; // 洪山区广埠屯小学 (湖北: centralised 10 h = 1 credit, 36 credits per cycle)
const teacher = data.teachers.find((t) => t.schoolId === school)!;

const SUMMARY = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Teacher {
  trainingCycleSummary(cycleId: "2024-2028") { provinceCode hours credits requiredHours requiredCredits isMet } } } }`;
const DECLARE = `mutation($input: DeclareTrainingInput!) { declareTraining(input: $input) { declaration { id version } errors { code } } }`;
const REVIEW = `mutation($input: ReviewCreditDeclarationInput!) { reviewCreditDeclaration(input: $input) { declaration { id version } errors { code } } }`;
const DECIDE = `mutation($input: DecideCreditDeclarationInput!) { decideCreditDeclaration(input: $input) { declaration { status } errors { code } } }`;

/** The published item, as declared next to EVENT_TYPES. */
type Fact = CycleSummaryFact;

describe('training publishes cycle verdicts for evaluation', () => {
  let h: TrainingHarness;
  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const events = async () =>
    (await h.server.db.knex(h.server.db.t('outbox')).where({ type: 'training.cycle-summaries-changed' }).orderBy('id')) as { consumer: string; payload: { summaries: Fact[] } }[];
  const latestFact = async (teacherId: string, cycleId: string) =>
    (await events()).flatMap((e) => e.payload.summaries).filter((f) => f.teacherId === teacherId && f.cycleId === cycleId).at(-1);
  const summary = async (teacherId: string) =>
    (await h.graphql(h.viewer('county_info_admin', '420111'), SUMMARY, { reps: [{ __typename: 'Teacher', id: teacherId }] })).data._entities[0].trainingCycleSummary;

  it('the demo load publishes every teacher\'s verdict of each cycle begun, equal to trainingCycleSummary', async () => {
    const all = await events();
    expect(all.every((e) => e.consumer === 'evaluation')).toBe(true);
    // A handful of events for the whole load (at most 200 teachers' verdicts each), not one per teacher.
    expect(all.length).toBeLessThan(data.teachers.length / 50);
    const facts = all.flatMap((e) => e.payload.summaries);
    expect(new Set(facts.map((f) => `${f.teacherId}/${f.cycleId}`)).size).toBe(data.teachers.length * 2); // 2019–2023 and 2024–2028
    const fact = await latestFact(teacher.id, '2024-2028');
    const { provinceCode, hours, credits, requiredHours, requiredCredits, isMet } = fact!;
    expect({ provinceCode, hours, credits, requiredHours, requiredCredits, isMet }).toEqual(await summary(teacher.id));
  });

  it('a recognised declaration publishes the teacher\'s new verdict in the same transaction; a refused one publishes nothing', async () => {
    const before = await latestFact(teacher.id, '2024-2028');
    const count = (await events()).length;
    const teacherViewer = h.viewer('teacher', school, { teacherId: teacher.id });
    const declared = (await h.graphql(teacherViewer, DECLARE, {
      input: { clientRequestId: 'helper-a-1', title: '暑期研修', form: 'CENTRALISED', organiser: '华中师范大学', hours: 40, completedOn: '2025-07-20', evidenceRef: 'CERT-A-1' },
    })).data.declareTraining;
    expect(declared.errors).toEqual([]);
    expect((await events()).length).toBe(count); // declaring changes no credits
    const reviewed = (await h.graphql(h.viewer('school_info_admin', school), REVIEW, { input: { declarationId: declared.declaration.id, version: declared.declaration.version, approve: true } })).data.reviewCreditDeclaration;
    const stale = await h.graphql(h.viewer('county_info_admin', '420111'), DECIDE, { input: { declarationId: declared.declaration.id, version: 999, recognise: true } });
    expect(stale.data.decideCreditDeclaration.errors[0].code).toBe('CONFLICT');
    expect((await events()).length).toBe(count);
    const decided = await h.graphql(h.viewer('county_info_admin', '420111'), DECIDE, { input: { declarationId: reviewed.declaration.id, version: reviewed.declaration.version, recognise: true } });
    expect(decided.data.decideCreditDeclaration).toEqual({ declaration: { status: 'RECOGNISED' }, errors: [] });

    const after = await latestFact(teacher.id, '2024-2028');
    expect((await events()).length).toBe(count + 1);
    // 40 hours of centralised training in 湖北 = 4 credits.
    expect(after!.hours).toBeCloseTo(before!.hours + 40, 2);
    expect(after!.credits).toBeCloseTo(before!.credits + 4, 2);
    const { provinceCode, hours, credits, requiredHours, requiredCredits, isMet } = after!;
    expect({ provinceCode, hours, credits, requiredHours, requiredCredits, isMet }).toEqual(await summary(teacher.id));
  });
});
