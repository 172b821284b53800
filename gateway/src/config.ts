import { resolve } from 'node:path';
import type { OperationLimits, RateLimits } from './limits';
import type { SubgraphFaultPolicy } from './resilient-data-source';
import { z } from 'zod';
import { DEFAULT_UPLOAD_MAX_BYTES } from '../../subgraphs/teacher-registry/src/services/teacher-import-upload-protocol';
import { tracingSettingsFromEnv, type TracingSettings } from '../../subgraphs/shared/src/tracing';
import { booleanFlag, logLevel, optionalFlag, nodeEnv, parseConfig, port, positiveInt, secret, subgraphUrlList, type Env } from '../../subgraphs/shared/src/config';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface GatewayConfig {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  supergraphFile: string;
  supergraphPollIntervalMs: number;
  /** Routing URL per subgraph name, overriding the URL written in the supergraph. */
  subgraphUrls: Record<string, string>;
  jwt: { secret?: string; publicKeyPem?: string; issuer: string; audience: string };
  internalIdentitySecret: string;
  internalIdentityTtlSeconds: number;
  maxBodyBytes: number;
  /** Largest import file the upload route (POST /uploads/teacher-import) streams to the registry. */
  uploadMaxBytes: number;
  introspection: boolean;
  /** Serve GraphiQL at /playground. */
  playground: boolean;
  partnerClientsFile: string;
  operationManifestFile: string;
  /** Hold partner clients marked registeredOperationsOnly to the manifest. */
  enforceRegisteredOperations: boolean;
  /** Automatic persisted queries for clients not held to the manifest. */
  apq: boolean;
  requestTimeoutMs: number;
  /** How long an Idempotency-Key and its first answer are kept. */
  idempotencyTtlSeconds: number;
  subgraphFaults: SubgraphFaultPolicy;
  limits: OperationLimits;
  rateLimits: RateLimits;
  /** How often the list of disabled accounts is fetched from the registry (the refusal delay). */
  accountStatusRefreshMs: number;
  /**
   * Refuse tokens of administrators, analysts and auditors whose subject has no active account with
   * the token's role and organisation (REQUIRE_ACCOUNT; on in production, off otherwise).
   */
  requireAccount: boolean;
  /** Gateway processes sharing the port (node:cluster); more than one needs REDIS_URL. */
  workers: number;
  /** V8's heap growth past the live data before its next full collection, per cent (0: V8's own rule). */
  heapGrowthPercent: number;
  /** OpenTelemetry tracing (off unless OTEL_ENABLED or an OTLP endpoint is set). */
  tracing: TracingSettings;
  logLevel: string;
}

const schema = z.object({
  NODE_ENV: nodeEnv,
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(4000),
  SUPERGRAPH_FILE: z.string().min(1).default(resolve(REPO_ROOT, 'schema', 'supergraph.graphql')),
  SUPERGRAPH_POLL_INTERVAL_MS: positiveInt(1000),
  SUBGRAPH_URLS: subgraphUrlList,
  JWT_SECRET: secret.optional(),
  JWT_PUBLIC_KEY: z.string().includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key' }).optional(),
  JWT_ISSUER: z.string().min(1).default('teacher-platform'),
  JWT_AUDIENCE: z.string().min(1).default('teacher-platform'),
  INTERNAL_IDENTITY_SECRET: secret,
  INTERNAL_IDENTITY_TTL_SECONDS: positiveInt(60),
  MAX_BODY_BYTES: positiveInt(1_000_000),
  UPLOAD_MAX_BYTES: positiveInt(DEFAULT_UPLOAD_MAX_BYTES),
  // Unset means: on in development and test, off in production.
INTROSPECTION: optionalFlag,
FIELD_SUGGESTIONS: optionalFlag,
PLAYGROUND: optionalFlag,
PARTNER_CLIENTS_FILE: z.string().min(1).default(resolve(REPO_ROOT, 'gateway', 'partners', 'clients.json')),
OPERATION_MANIFEST_FILE: z.string().min(1).default(resolve(REPO_ROOT, 'gateway', 'partners', 'operations.json')),
REGISTERED_OPERATIONS_ONLY: optionalFlag,
APQ: booleanFlag(true),
IDEMPOTENCY_TTL_SECONDS: positiveInt(86_400),
REQUEST_TIMEOUT_MS: positiveInt(30_000),
SUBGRAPH_TIMEOUT_MS: positiveInt(5_000),
SUBGRAPH_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
SUBGRAPH_RETRY_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.1),
SUBGRAPH_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
SUBGRAPH_BREAKER_VOLUME: positiveInt(10),
SUBGRAPH_BREAKER_RESET_MS: positiveInt(10_000),
// Shape limits. Defaults: the largest shipped operation plus headroom (see README, "Limits").
LIMIT_MAX_DEPTH: positiveInt(10),
LIMIT_MAX_ALIASES: positiveInt(15),
LIMIT_MAX_DIRECTIVES: positiveInt(10),
LIMIT_MAX_TOKENS: positiveInt(2000),
LIMIT_MAX_COST: positiveInt(5000),
RATE_LIMIT_USER_PER_MINUTE: positiveInt(600),
RATE_LIMIT_CLIENT_PER_MINUTE: positiveInt(3000),
REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  ACCOUNT_STATUS_REFRESH_MS: positiveInt(30_000),
  // Unset means: on in production; off in development and test, where dev tokens and the test
  // suite mint users that have no account row.
  REQUIRE_ACCOUNT: optionalFlag,
  GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  GATEWAY_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(400).default(50),
  LOG_LEVEL: logLevel,
});

const crossCheck = (env: Env) => {
  const problems: { name: string; message: string }[] = [];
  const subgraphTimeout = Number(env.SUBGRAPH_TIMEOUT_MS ?? 5_000);
  const requestTimeout = Number(env.REQUEST_TIMEOUT_MS ?? 30_000);
  if (subgraphTimeout >= requestTimeout) {
    problems.push({ name: 'SUBGRAPH_TIMEOUT_MS', message: 'must be below REQUEST_TIMEOUT_MS, so a slow subgraph cannot use up the whole request' });
  }
  if (!env.JWT_SECRET && !env.JWT_PUBLIC_KEY) {
    problems.push({ name: 'JWT_SECRET', message: 'set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256 PEM)' });
  }
  if (Number(env.GATEWAY_WORKERS ?? 1) > 1 && !env.REDIS_URL) {
    // Workers share nothing in memory: rate limits would multiply and an idempotent replay could
    // land on a worker that never saw the first request.
    problems.push({ name: 'GATEWAY_WORKERS', message: 'more than one worker needs REDIS_URL, so rate limits and idempotency keys are shared by the workers' });
  }
  if (env.JWT_SECRET && env.JWT_SECRET === env.INTERNAL_IDENTITY_SECRET) {
    problems.push({ name: 'INTERNAL_IDENTITY_SECRET', message: 'must differ from JWT_SECRET' });
  }
  return problems;
};

/** The only place the gateway reads its environment (variables documented in the README). */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const parsed = parseConfig('gateway', schema, env, crossCheck);
  return {
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    supergraphFile: resolve(parsed.SUPERGRAPH_FILE),
    supergraphPollIntervalMs: parsed.SUPERGRAPH_POLL_INTERVAL_MS,
    subgraphUrls: parsed.SUBGRAPH_URLS,
    jwt: { secret: parsed.JWT_SECRET, publicKeyPem: parsed.JWT_PUBLIC_KEY, issuer: parsed.JWT_ISSUER, audience: parsed.JWT_AUDIENCE },
    internalIdentitySecret: parsed.INTERNAL_IDENTITY_SECRET,
    internalIdentityTtlSeconds: parsed.INTERNAL_IDENTITY_TTL_SECONDS,
    maxBodyBytes: parsed.MAX_BODY_BYTES,
    uploadMaxBytes: parsed.UPLOAD_MAX_BYTES,
    // Introspection is the analysts' schema explorer in development; production opts in explicitly.
    introspection: parsed.INTROSPECTION ?? parsed.NODE_ENV !== 'production',
    playground: parsed.PLAYGROUND ?? parsed.NODE_ENV !== 'production',
    partnerClientsFile: resolve(parsed.PARTNER_CLIENTS_FILE),
    operationManifestFile: resolve(parsed.OPERATION_MANIFEST_FILE),
    enforceRegisteredOperations: parsed.REGISTERED_OPERATIONS_ONLY ?? parsed.NODE_ENV === 'production',
    apq: parsed.APQ,
    accountStatusRefreshMs: parsed.ACCOUNT_STATUS_REFRESH_MS,
    requireAccount: parsed.REQUIRE_ACCOUNT ?? parsed.NODE_ENV === 'production',
    requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
    idempotencyTtlSeconds: parsed.IDEMPOTENCY_TTL_SECONDS,
    subgraphFaults: {
      timeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
      maxRetries: parsed.SUBGRAPH_MAX_RETRIES,
      retryBudgetRatio: parsed.SUBGRAPH_RETRY_BUDGET_RATIO,
      breakerErrorPercent: parsed.SUBGRAPH_BREAKER_ERROR_PERCENT,
      breakerVolumeThreshold: parsed.SUBGRAPH_BREAKER_VOLUME,
      breakerResetMs: parsed.SUBGRAPH_BREAKER_RESET_MS,
    },
    limits: {
      maxDepth: parsed.LIMIT_MAX_DEPTH,
      maxAliases: parsed.LIMIT_MAX_ALIASES,
      maxDirectives: parsed.LIMIT_MAX_DIRECTIVES,
      maxTokens: parsed.LIMIT_MAX_TOKENS,
      maxCost: parsed.LIMIT_MAX_COST,
      blockFieldSuggestions: !(parsed.FIELD_SUGGESTIONS ?? parsed.NODE_ENV !== 'production'),
    },
    rateLimits: {
      perUserPerMinute: parsed.RATE_LIMIT_USER_PER_MINUTE,
      perClientPerMinute: parsed.RATE_LIMIT_CLIENT_PER_MINUTE,
      redisUrl: parsed.REDIS_URL,
    },
    workers: parsed.GATEWAY_WORKERS,
    heapGrowthPercent: parsed.GATEWAY_HEAP_GROWTH_PERCENT,
    tracing: tracingSettingsFromEnv('gateway', env),
    logLevel: parsed.LOG_LEVEL,
  };
}
