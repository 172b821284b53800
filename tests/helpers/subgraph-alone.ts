import { envPrefix, loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { dropSchema } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Role, type Viewer } from '../../subgraphs/shared/src/identity';
import { createSubgraphServer, type RunningSubgraph, type SubgraphDefinition } from '../../subgraphs/shared/src/subgraph-server';
import { testDatabaseUrl, uniqueSuffix } from './database';
import { demoOrgPath, postGraphQL, TEST_INTERNAL_SECRET, type GraphQLBody } from './http';

/**
 * One subgraph on its own, with the demo data in a fresh schema, called with signed viewer
 * identities exactly as the gateway calls it: fast, and independent of the other subgraphs' state.
 * The outbox relay stays idle (tests read the outbox or drive delivery themselves).
 */
export interface SubgraphAlone {
  server: RunningSubgraph;
  viewer(role: Role, org: string, extra?: Partial<Viewer>): Viewer;
  call<T = any>(viewer: Viewer, query: string, variables?: Record<string, unknown>): Promise<GraphQLBody<T>>;
  stop(): Promise<void>;
}

export async function startSubgraphAlone(definition: SubgraphDefinition<any>): Promise<SubgraphAlone> {
  const prefix = envPrefix(definition.name);
  const config = loadSubgraphConfig(definition.name, 0, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: '4',
    [`${prefix}DATABASE_SCHEMA`]: `${definition.name.replace(/-/g, '_')}_${uniqueSuffix()}`,
    [`${prefix}PORT`]: '0',
    INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    EVENT_RELAY_INTERVAL_MS: '3600000',
  });
  const server = await createSubgraphServer(definition, config);
  await definition.seedDemo(server.db, buildDemoDataset());
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

/** `_entities` for teachers, the way the gateway asks a subgraph for Teacher fields. */
export const TEACHER_ENTITIES = (fields: string) => `#graphql
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Teacher { id ${fields} } } }`;
export const teacherReps = (ids: readonly string[]) => ({ representations: ids.map((id) => ({ __typename: 'Teacher', id })) });
