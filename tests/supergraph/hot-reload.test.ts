import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { SUBGRAPHS } from '../../subgraphs';
import { composeSupergraph, defaultRoutingUrl } from '../../schema/compose';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/** The gateway serves a static supergraph file and picks up a new one without a restart. */
describe('supergraph hot reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
  const file = join(dir, 'supergraph.graphql');
  let t: TestPlatform;

  beforeAll(async () => {
    // Start with a supergraph that lacks the evaluation subgraph.
    const partial = composeServices(
      SUBGRAPHS.filter((s) => s.name !== 'evaluation').map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: defaultRoutingUrl(s.defaultPort) })),
    );
    if (!partial.supergraphSdl) throw new Error('partial composition failed');
    writeFileSync(file, partial.supergraphSdl);
    t = await startTestPlatform({ SUPERGRAPH_FILE: file, SUPERGRAPH_POLL_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves fields of a subgraph added to the file while running', async () => {
    const token = await t.token('county_query', '420111');
    const query = '{ teachers(first: 1) { nodes { annualAssessments { year } } } }';
    const before = await t.graphql(token, query);
    expect(before.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    writeFileSync(file, composeSupergraph());
    let after = before;
    for (let attempt = 0; attempt < 50 && after.body.errors; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await t.graphql(token, query);
    }
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.teachers.nodes[0].annualAssessments.length).toBeGreaterThan(0);
  });

  it('keeps serving the current schema when the new file is broken', async () => {
    writeFileSync(file, 'this is not a supergraph');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { body } = await t.graphql(await t.token('county_query', '420111'), '{ teachers(first: 1) { totalCount } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.teachers.totalCount).toBeGreaterThan(0);
  });
});
