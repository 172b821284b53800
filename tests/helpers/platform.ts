import type { DestinationStream } from 'pino';
import { envPrefix } from '../../subgraphs/shared/src/config';
import { dropSchema } from '../../subgraphs/shared/src/db';
import type { Role } from '../../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../../subgraphs';
import { mintToken, type ViewerClaims } from '../../gateway/src/auth';
import { startPlatform, type RunningPlatform } from '../../gateway/src/platform';
import { testDatabaseUrl, uniqueSuffix } from './database';
import { demoOrgPath, JWT_ISSUER, postGraphQL, TEST_INTERNAL_SECRET, TEST_JWT_SECRET, type GraphQLBody } from './http';

export { demoOrgPath, JWT_ISSUER, postGraphQL, TEST_INTERNAL_SECRET, TEST_JWT_SECRET, type GraphQLBody };


export interface TestPlatform {
  platform: RunningPlatform;
  gatewayUrl: string;
  subgraphUrl(name: string): string;
  token(role: Role, org: string, extra?: Partial<ViewerClaims>): Promise<string>;
  graphql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GraphQLBody<T> }>;
  stop(): Promise<void>;
}


export function testEnv(suffix: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: '4',
    JWT_SECRET: TEST_JWT_SECRET,
    INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    // Test tokens name users without account rows, also in the tests that run as production;
    // tests/security/require-account.test.ts turns the check on.
    REQUIRE_ACCOUNT: 'false',
    ...extra,
  };
  for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = `${s.name.replace(/-/g, '_')}_${suffix}`;
  return env;
}

export function tokenFor(role: Role, org: string, extra: Partial<ViewerClaims> = {}): Promise<string> {
  return mintToken(
    { sub: `test-${role}-${org}`, role, org, org_path: demoOrgPath(org), ...extra },
    { secret: TEST_JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_ISSUER, expiresIn: '10m' },
  );
}


/** Starts the four subgraphs and the gateway in-process on port 0, with demo data in fresh schemas. */
export async function startTestPlatform(extraEnv: Record<string, string> = {}, options: { logDestination?: DestinationStream } = {}): Promise<TestPlatform> {
  const suffix = uniqueSuffix();
  const platform = await startPlatform({ env: testEnv(suffix, extraEnv), seedDemo: true, ephemeralPorts: true, logDestination: options.logDestination });
  return {
    platform,
    gatewayUrl: platform.gateway.url,
    subgraphUrl(name) {
      const running = platform.subgraphs.find((s) => s.name === name);
      if (!running) throw new Error(`no subgraph ${name}`);
      return running.url;
    },
    token: tokenFor,
    graphql: (token, query, variables) =>
      postGraphQL(platform.gateway.url, token ? { authorization: `Bearer ${token}` } : {}, query, variables),
    async stop() {
      for (const s of platform.subgraphs) await dropSchema(s.db).catch(() => undefined);
      await platform.stop();
    },
  };
}
