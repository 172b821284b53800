import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { teacherRegistry } from '../../subgraphs/teacher-registry/src';
import { training } from '../../subgraphs/training/src';
import { startSubgraphAlone, type SubgraphAlone } from '../helpers/subgraph-alone';

/**
 * The registry's headcounts and training's completion both publish a unit's active teachers. For
 * viewers who may not see persons each subgraph decides, level by level, which totals to withhold
 * (shared/src/hierarchy-publication.ts); the totals are decided from the totals alone, so the two
 * withhold the same ones, and training never shows a total the registry hides (which would undo the
 * registry's complementary suppression).
 */
const units = buildDemoDataset().orgUnits;

describe('active-teacher totals across subgraphs', () => {
  let registry: SubgraphAlone;
  let trainingAlone: SubgraphAlone;
  beforeAll(async () => {
    [registry, trainingAlone] = await Promise.all([startSubgraphAlone(teacherRegistry), startSubgraphAlone(training)]);
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), trainingAlone?.stop()]);
  });

  it('shows a training total only where the registry shows the same total', async () => {
    // A school of 3 active teachers in both subgraphs (the registry's archive, training's projection
    // of it, as the teacher.status-changed event would leave it).
    const rk = registry.server.db.knex;
    const [school] = await rk(registry.server.db.t('teacher')).select('school_id').where('status', 'active').whereLike('org_path', '%/420111/%')
      .groupBy('school_id').orderByRaw('count(*) asc').limit(1);
    const ids = (await rk(registry.server.db.t('teacher')).select('id').where({ school_id: school.school_id, status: 'active' }).orderBy('id')).map((r: { id: string }) => r.id);
    await rk(registry.server.db.t('teacher')).whereIn('id', ids.slice(3)).update({ status: 'retired' });
    await trainingAlone.server.db.knex(trainingAlone.server.db.t('teacher_scope')).whereIn('teacher_id', ids.slice(3)).update({ status: 'retired' });
    const reps = units.map((u) => ({ __typename: 'OrgUnit', id: u.id }));
    const viewer = registry.viewer('analyst', 'CN');
    const [headcounts, completion] = await Promise.all([
      registry.call(viewer, `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id statistics { activeTeachers } } } }`, { reps }),
      trainingAlone.call(viewer, `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id trainingCompletion { teacherCount } } } }`, { reps }),
    ]);
    expect(headcounts.errors).toBeUndefined();
    expect(completion.errors).toBeUndefined();
    const active = new Map(headcounts.data._entities.map((e: any) => [e.id, e.statistics.activeTeachers]));
    const shown = completion.data._entities.filter((e: any) => e.trainingCompletion !== null);
    expect(shown.length).toBeGreaterThan(0);
    for (const e of shown) expect([e.id, active.get(e.id)]).toEqual([e.id, e.trainingCompletion.teacherCount]);
    // Some totals are withheld in the demo data, and training withholds each of them too.
    const hidden = [...active].filter(([, n]) => n === null).map(([id]) => id);
    expect(hidden.length).toBeGreaterThan(0);
    for (const id of hidden) expect([id, completion.data._entities.find((e: any) => e.id === id)?.trainingCompletion]).toEqual([id, null]);
  });
});
