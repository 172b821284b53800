import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { checkApiAgainstRows, checkInvariants, dbsOf, settleEvents } from './invariants';

/** The reconciliation checks themselves: they hold on the demo data and they do notice a fault. */
describe('reconciliation checks', () => {
  let t: TestPlatform;
  let token: string;
  beforeAll(async () => {
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
    token = await t.token('national_query', 'CN');
  }, 180000);
  afterAll(async () => {
    await t?.stop();
  });
  const ask = async (query: string, variables?: Record<string, unknown>) => (await t.graphql(token, query, variables)).body;

  it('hold on a freshly seeded platform, in the rows and through the API', async () => {
    await settleEvents(t.platform.subgraphs);
    const dbs = dbsOf(t.platform.subgraphs);
    expect(await checkInvariants(dbs, { requireDrained: true })).toEqual([]);
    expect(await checkApiAgainstRows(dbs, ask)).toEqual([]);
  });

  it('report a projection out of step, a lost event and a duplicated employment', async () => {
    const dbs = dbsOf(t.platform.subgraphs);
    const teacher = await dbs.registry.knex(dbs.registry.t('teacher')).first('id', 'org_path');
    const employment = await dbs.staffing.knex(dbs.staffing.t('employment')).first().whereNull('ends_on').where('on_quota', true);
    await dbs.training.knex(dbs.training.t('teacher_scope')).where('teacher_id', teacher.id).update({ org_path: '/CN/elsewhere/' });
    await dbs.staffing.knex(dbs.staffing.t('employment')).insert({ ...employment, id: '00000000-0000-4000-8000-000000000001' });
    const [{ event_id: eventId }] = await dbs.registry.knex.raw(
      `insert into ${dbs.registry.t('outbox')} (event_id, consumer, type, payload, delivered_at) values (gen_random_uuid(), 'evaluation', 'teacher.registered', '{}', now()) returning event_id`,
    ).then((r: any) => r.rows);
    try {
      const problems = await checkInvariants(dbs);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/1 teacher\(s\) with a different organisation path in training/),
          expect.stringMatching(/1 teacher\(s\) with more than one current employment/),
          expect.stringMatching(/1 event\(s\) from registry marked delivered but missing from evaluation's inbox/),
        ]),
      );
      expect(await checkApiAgainstRows(dbs, ask, 1)).toEqual([]); // the API counts the duplicate too: rows and API agree
    } finally {
      await dbs.training.knex(dbs.training.t('teacher_scope')).where('teacher_id', teacher.id).update({ org_path: teacher.org_path });
      await dbs.staffing.knex(dbs.staffing.t('employment')).where('id', '00000000-0000-4000-8000-000000000001').delete();
      await dbs.registry.knex(dbs.registry.t('outbox')).where('event_id', eventId).delete();
    }
    expect(await checkInvariants(dbs)).toEqual([]);
  });
});
