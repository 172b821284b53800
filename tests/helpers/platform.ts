import type { DestinationStream } from 'pino';
import { envPrefix } from '../../subgraphs/shared/src/config';
import { dropSchema } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import type { Role } from '../../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../../subgraphs';
import { mintToken, type ViewerClaims } from '../../gateway/src/auth';
import { startPlatform, type RunningPlatform } from '../../gateway/src/platform';
import { testDatabaseUrl, uniqueSuffix } from './database';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnop';
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdefghijk';
export const JWT_ISSUER = 'teacher-platform';

export interface TestPlatform {
  platform: RunningPlatform;
  gatewayUrl: string;
  subgraphUrl(name: string): string;
  token(role: Role, org: string, extra?: Partial<ViewerClaims>): Promise<string>;
  graphql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GraphQLBody<T> }>;
  stop(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export function testEnv(suffix: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: '4',
    JWT_SECRET: TEST_JWT_SECRET,
    INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
    ...extra,
  };
  for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = `${s.name.replace(/-/g, '_')}_${suffix}`;
  return env;
}

/** Organisation path of a demo organisation, for minting tokens. */
export function demoOrgPath(org: string): string {
  const unit = buildDemoDataset().orgUnits.find((o) => o.id === org);
  if (!unit) throw new Error(`${org} is not in the demo tree`);
  return unit.path;
}

export function tokenFor(role: Role, org: string, extra: Partial<ViewerClaims> = {}): Promise<string> {
  return mintToken(
    { sub: `test-${role}-${org}`, role, org, org_path: demoOrgPath(org), ...extra },
    { secret: TEST_JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_ISSUER, expiresIn: '10m' },
  );
}

export async function postGraphQL<T>(url: string, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
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
