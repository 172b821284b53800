import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { training } from '../../subgraphs/training/src';
import { startSubgraphAlone, type SubgraphAlone } from '../helpers/subgraph-alone';

/**
 * The registry's headcounts and training's completion both count a unit's active teachers. For
 * viewers who may not see persons the registry decides which totals to withhold together with its
 * breakdowns (shared/src/hierarchy-publication.ts); a second copy of those totals decided elsewhere
 * could show one the registry hides to protect a neighbour. So training never publishes the total,
 * nor anything it could be worked back from (the rate, the not-met bucket), to those viewers.
 */
const units = buildDemoDataset().orgUnits;

describe('teacher totals to viewers who may not see persons', () => {
  let trainingAlone: SubgraphAlone;
  beforeAll(async () => {
    trainingAlone = await startSubgraphAlone(training);
  });
  afterAll(async () => {
    await trainingAlone?.stop();
  });

  it('come from the registry alone: training shows met counts, no total, rate, credits or not-met bucket', async () => {
    const reps = units.map((u) => ({ __typename: 'OrgUnit', id: u.id }));
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id trainingCompletion { teacherCount metCount completionRate totalCredits byCompletion { code } } } } }`;
    for (const role of ['analyst', 'national_system_admin'] as const) {
      const body = await trainingAlone.call(trainingAlone.viewer(role, 'CN'), query, { reps });
      expect(body.errors).toBeUndefined();
      const shown = body.data._entities.filter((e: any) => e.trainingCompletion !== null);
      expect(shown.length).toBeGreaterThan(0);
      for (const e of shown) {
        expect([role, e.id, e.trainingCompletion.teacherCount, e.trainingCompletion.completionRate, e.trainingCompletion.totalCredits]).toEqual([role, e.id, null, null, null]);
        expect(e.trainingCompletion.byCompletion.every((b: { code: string }) => b.code === 'met')).toBe(true);
      }
    }
    // Record readers still get the whole figure.
    const exact = await trainingAlone.call(trainingAlone.viewer('national_query', 'CN'), query, { reps });
    expect(exact.data._entities.every((e: any) => e.trainingCompletion.teacherCount !== null)).toBe(true);
  });
});
