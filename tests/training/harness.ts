import { loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { dropSchema } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Role, type Viewer } from '../../subgraphs/shared/src/identity';
import { createSubgraphServer, type RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { training } from '../../subgraphs/training/src';
import { testDatabaseUrl, uniqueSuffix } from '../helpers/database';

// Not imported from ../helpers/platform: that module loads every subgraph, and these tests must
// not depend on the other subgraphs' work in progress.
const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdefghijk';

function demoOrgPath(org: string): string {
  const unit = buildDemoDataset().orgUnits.find((o) => o.id === org);
  if (!unit) throw new Error(`${org} is not in the demo tree`);
  return unit.path;
}

async function postGraphQL(url: string, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as any };
}

/**
 * The training subgraph alone, on its own fresh schema with the demo data, queried the way the
 * gateway queries it (signed internal identity). Fast, and independent of the other subgraphs.
 */
export interface TrainingHarness {
  server: RunningSubgraph;
  viewer(role: Role, org: string, extra?: Partial<Viewer>): Viewer;
  graphql<T = any>(viewer: Viewer, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>;
  stop(): Promise<void>;
}

export async function startTraining(): Promise<TrainingHarness> {
  const config = loadSubgraphConfig(training.name, training.defaultPort, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: '4',
    INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    TRAINING_DATABASE_SCHEMA: `training_h_${uniqueSuffix()}`,
    TRAINING_PORT: '0',
  });
  config.port = 0;
  const server = await createSubgraphServer(training, config);
  await training.seedDemo(server.db, buildDemoDataset());
  return {
    server,
    viewer: (role, org, extra = {}) => ({ subject: `test-${role}-${org}`, role, orgId: org, orgPath: demoOrgPath(org), scopes: [], ...extra }),
    async graphql(viewer, query, variables) {
      const header = await signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60);
      const { body } = await postGraphQL(server.url, { [INTERNAL_IDENTITY_HEADER]: header }, query, variables);
      return body as any;
    },
    async stop() {
      await dropSchema(server.db).catch(() => undefined);
      await server.stop();
    },
  };
}

/** Asks for training fields of teachers through federation's _entities, as the gateway does. */
export const entities = (selection: string) => `query($r: [_Any!]!) { _entities(representations: $r) { ... on Teacher { id ${selection} } } }`;
export const teacherRefs = (ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'Teacher', id })) });
