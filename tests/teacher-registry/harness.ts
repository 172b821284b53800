import { loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { dropSchema } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Role, type Viewer } from '../../subgraphs/shared/src/identity';
import { createSubgraphServer, type RunningSubgraph } from '../../subgraphs/shared/src/subgraph-server';
import { teacherRegistry } from '../../subgraphs/teacher-registry/src';
import { testDatabaseUrl, uniqueSuffix } from '../helpers/database';
import { demoOrgPath, postGraphQL, TEST_INTERNAL_SECRET } from '../helpers/platform';

/**
 * The teacher-registry subgraph alone, on a fresh schema with the demo data, queried the way the
 * gateway queries it (signed internal identity): fast, and independent of the other subgraphs.
 */
export interface RegistryHarness {
  server: RunningSubgraph;
  viewer(role: Role, org: string, extra?: Partial<Viewer>): Viewer;
  graphql<T = any>(viewer: Viewer, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] }>;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<RegistryHarness> {
  const config = loadSubgraphConfig(teacherRegistry.name, teacherRegistry.defaultPort, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: '4',
    INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    TEACHER_REGISTRY_DATABASE_SCHEMA: `registry_h_${uniqueSuffix()}`,
    TEACHER_REGISTRY_PORT: '0',
  });
  config.port = 0;
  const server = await createSubgraphServer(teacherRegistry, config);
  await teacherRegistry.seedDemo(server.db, buildDemoDataset());
  return {
    server,
    viewer: (role, org, extra = {}) => ({ subject: `test-${role}-${org}`, role, orgId: org, orgPath: demoOrgPath(org), scopes: [], ...extra }),
    async graphql(viewer, query, variables) {
      const header = await signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60);
      const { body } = await postGraphQL<any>(server.url, { [INTERNAL_IDENTITY_HEADER]: header }, query, variables);
      return body as any;
    },
    async stop() {
      await dropSchema(server.db).catch(() => undefined);
      await server.stop();
    },
  };
}

/** Valid registration input for a new teacher at 武汉市洪山区广埠屯小学 (born 1990-03-15, female). */
export const validRegistration = (overrides: Record<string, unknown> = {}) => ({
  name: '测试教师',
  gender: 'FEMALE',
  birthDate: '1990-03-15',
  idDocumentType: '1',
  idDocumentNumber: '420111199003150025',
  ethnicity: '01',
  politicalAffiliation: '13',
  educationLevel: '21',
  staffCategory: '1',
  onQuota: true,
  employmentForm: '1',
  startedWorkOn: '2012-09-01',
  joinedSchoolOn: '2018-09-01',
  subject: '语文',
  title: 'second',
  schoolId: '1142000101',
  ...overrides,
});
