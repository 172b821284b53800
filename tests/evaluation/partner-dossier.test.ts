import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countQueries } from '../helpers/query-counter';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/** The partner dossier operation, as documented in docs/evaluation.md (kept in one file so both agree). */
const PARTNER_DOSSIER = readFileSync(join(__dirname, '..', '..', 'subgraphs', 'evaluation', 'operations', 'partner-dossier.graphql'), 'utf8');

describe('the partner dossier: one operation over all four subgraphs, batched', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    // Timer-driven outbox relays stay idle, so they add no statements to the counts; tests flush by hand.
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers a partner with every subgraph\'s part and costs the same SQL statements for 1 and for 50 teachers', async () => {
    const token = await t.token('partner', '420000', { client_id: 'title-review-system', scope: 'dossier:read org:read' });
    const knexes = t.platform.subgraphs.map((s) => s.db.knex);
    const run = (first: number) => countQueries(knexes, () => t.graphql(token, PARTNER_DOSSIER, { orgUnitId: '420000', first, targetTitle: 'SENIOR' }));

    // Warm-up: a first request fills per-process caches (e.g. the registry's accounts), which would count once.
    await t.graphql(token, PARTNER_DOSSIER, { orgUnitId: '420000', first: 1, targetTitle: 'SENIOR' });
    const one = await run(1);
    expect(one.result.body.errors).toBeUndefined();
    const dossier = one.result.body.data.teachers.nodes[0];
    expect(dossier).toMatchObject({
      id: expect.any(String),
      nationalTeacherNumber: expect.any(String),
      school: { id: expect.any(String) },
      employments: expect.any(Array),
      annualAssessments: expect.any(Array),
      ethicsBans: { inForce: expect.any(Boolean), titleReview: expect.any(Boolean) },
      registrationEligibility: { status: expect.stringMatching(/PASS|DEFERRED|FAIL|OVERDUE/) },
      titleReviewCheck: { conditions: expect.any(Array) },
    });
    expect(dossier.trainingProgress === null || typeof dossier.trainingProgress.completedHours === 'number').toBe(true);

    const fifty = await run(50);
    expect(fifty.result.body.errors).toBeUndefined();
    expect(fifty.result.body.data.teachers.nodes).toHaveLength(50);
    if (process.env.EVALUATION_MEASURE) process.stdout.write(`partner dossier SQL statements (all subgraphs): 1 teacher ${one.count}, 50 teachers ${fifty.count}\n`);
    expect(fifty.count).toBe(one.count);

    // Partners never see the ethics entries behind the flags.
    const entries = await t.graphql(token, '{ teachers(first: 1) { nodes { ethicsEntries { id } } } }');
    expect(entries.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
