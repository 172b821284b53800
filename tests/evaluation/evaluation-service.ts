import { loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { dropSchema } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Role, type Viewer } from '../../subgraphs/shared/src/identity';
import { createSubgraphServer, type RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { evaluation } from '../../subgraphs/evaluation/src/index';
import { testDatabaseUrl, uniqueSuffix } from '../helpers/database';
import type { GraphQLBody } from '../helpers/platform';

// Not imported from helpers/platform: that module loads every subgraph, and these tests should not
// depend on the state of the others. Same secret value as the platform helper.
const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdefghijk';

function demoOrgPath(org: string): string {
  const unit = buildDemoDataset().orgUnits.find((o) => o.id === org);
  if (!unit) throw new Error(`${org} is not in the demo tree`);
  return unit.path;
}

async function postGraphQL<T>(url: string, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
}

/**
 * The evaluation subgraph on its own, with demo data in a fresh schema, called with signed viewer
 * identities as the gateway would. Keeps these tests independent of the other subgraphs' state.
 */
export interface EvaluationService {
  server: RunningSubgraph;
  viewer(role: Role, org: string, extra?: Partial<Viewer>): Viewer;
  call<T = any>(viewer: Viewer, query: string, variables?: Record<string, unknown>): Promise<GraphQLBody<T>>;
  stop(): Promise<void>;
}

export async function startEvaluation(): Promise<EvaluationService> {
  const config = loadSubgraphConfig(evaluation.name, 0, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: '4',
    DATABASE_SCHEMA: `evaluation_${uniqueSuffix()}`,
    INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    EVALUATION_PORT: '0',
    EVENT_RELAY_INTERVAL_MS: '3600000',
  });
  const server = await createSubgraphServer(evaluation, config);
  await evaluation.seedDemo(server.db, buildDemoDataset());
  return {
    server,
    viewer: (role, org, extra = {}) => ({ subject: `test-${role}-${org}`, role, orgId: org, orgPath: demoOrgPath(org), scopes: [], ...extra }),
    async call(viewer, query, variables) {
      const header = await signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60);
      return (await postGraphQL<any>(server.url, { [INTERNAL_IDENTITY_HEADER]: header }, query, variables)).body;
    },
    async stop() {
      await dropSchema(server.db).catch(() => undefined);
      await server.stop();
    },
  };
}

/** `_entities` for teachers, the way the gateway asks this subgraph for Teacher fields. */
export const TEACHER_ENTITIES = (fields: string) => `#graphql
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Teacher { id ${fields} } } }`;
export const teacherReps = (ids: readonly string[]) => ({ representations: ids.map((id) => ({ __typename: 'Teacher', id })) });
