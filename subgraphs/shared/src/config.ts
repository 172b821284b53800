import { z } from 'zod';

/**
 * Configuration is parsed once per process from an environment-like record. Every problem is
 * reported at once, naming the variable, and the process exits non-zero (see `exitOnConfigError`).
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type Env = Record<string, string | undefined>;

/** A rule across several variables, checked on the raw values so it reports even when others fail. */
export type CrossCheck = (env: Env) => { name: string; message: string }[];

export function parseConfig<S extends z.ZodType>(service: string, schema: S, env: Env, crossCheck?: CrossCheck): z.infer<S> {
  const result = schema.safeParse(env);
  const cross = crossCheck?.(env) ?? [];
  if (result.success && cross.length === 0) return result.data;
  const problems = (result.success ? [] : result.error.issues).map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = issue.path.length ? env[String(issue.path[0])] : undefined;
    if (value === undefined) return `${name}: ${issue.code === 'invalid_type' ? 'is required' : issue.message}`;
    return `${name}: ${issue.message} (got "${redact(name, value)}")`;
  });
  problems.push(...cross.map((c) => `${c.name}: ${c.message}`));
  throw new ConfigError(service, problems);
}

function redact(name: string, value: string): string {
  return /SECRET|PASSWORD|KEY|URL/i.test(name) ? '***' : value;
}

/** Entry points call this: print the one clear message and exit non-zero. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const secret = z.string().min(32, 'must be at least 32 characters');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');
export const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** A flag whose default depends on other settings: undefined when unset. */
export const optionalFlag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

/** `name=url,name=url`: where to reach the platform's subgraphs (gateway routing, event delivery). */
export const subgraphUrlList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const urls: Record<string, string> = {};
    for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
      const [name, url] = entry.split('=');
      if (!name || !url || !/^https?:\/\//.test(url)) {
        ctx.addIssue({ code: 'custom', message: `entry "${entry}" must look like name=http://host:port/graphql` });
        continue;
      }
      urls[name] = url;
    }
    return urls;
  });

/** Environment variable prefix of a subgraph: `teacher-registry` → `TEACHER_REGISTRY_`. */
export function envPrefix(serviceName: string): string {
  return `${serviceName.replace(/-/g, '_').toUpperCase()}_`;
}

export interface SubgraphConfig {
  service: string;
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  databaseUrl: string;
  databaseSchema: string;
  databasePoolMax: number;
  statementTimeoutMs: number;
  /** Shown in pg_stat_activity; defaults to the service name. */
  databaseApplicationName: string;
  internalIdentitySecret: string;
  migrateOnStart: boolean;
  /** Other subgraphs' URLs, for delivering outbox events to them. */
  subgraphUrls: Record<string, string>;
  eventRelayIntervalMs: number;
  /** Audit entries are kept this many days (at least 183: six months). */
  auditRetentionDays: number;
  /** How often the process purges audit entries past retention. */
  auditPurgeIntervalMs: number;
  logLevel: string;
}

/**
 * One configuration shape for every subgraph. Each variable may be set for one subgraph with its
 * prefix (`TRAINING_DATABASE_URL`) or for all at once (`DATABASE_URL`), except the port, which is
 * only ever prefixed (`TRAINING_PORT`).
 */
export function loadSubgraphConfig(service: string, defaultPort: number, env: Env): SubgraphConfig {
  const prefix = envPrefix(service);
  // PORT is never shared: in one environment it would put every service on the same port.
  const pick = (name: string) => env[`${prefix}${name}`] ?? (name === 'PORT' ? undefined : env[name]);
  const schema = z.object({
    NODE_ENV: nodeEnv,
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port(defaultPort),
    DATABASE_URL: postgresUrl,
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier')
      .default(service.replace(/-/g, '_')),
    DATABASE_POOL_MAX: positiveInt(10),
    STATEMENT_TIMEOUT_MS: positiveInt(15000),
    DATABASE_APPLICATION_NAME: z.string().min(1).max(63).default(service),
    INTERNAL_IDENTITY_SECRET: secret,
    MIGRATE_ON_START: booleanFlag(true),
    SUBGRAPH_URLS: subgraphUrlList,
    EVENT_RELAY_INTERVAL_MS: positiveInt(500),
    // The audit trail must be kept at least six months; a shorter setting is a configuration error.
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(183, 'must be at least 183 (six months)').default(183),
    AUDIT_PURGE_INTERVAL_MS: positiveInt(6 * 60 * 60 * 1000),
    LOG_LEVEL: logLevel,
  });
  const names = Object.keys(schema.shape) as (keyof typeof schema.shape)[];
  const scoped: Env = Object.fromEntries(names.map((name) => [name, pick(name)]));
  // Report problems under the name the operator would set (the prefixed one when it was used).
  let parsed: z.infer<typeof schema>;
  try {
    parsed = parseConfig(service, schema, scoped);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(
        service,
        error.problems.map((p) => {
          const name = p.split(':')[0] ?? '';
          return env[`${prefix}${name}`] !== undefined ? `${prefix}${p}` : p;
        }),
      );
    }
    throw error;
  }
  return {
    service,
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    databaseUrl: parsed.DATABASE_URL,
    databaseSchema: parsed.DATABASE_SCHEMA,
    databasePoolMax: parsed.DATABASE_POOL_MAX,
    statementTimeoutMs: parsed.STATEMENT_TIMEOUT_MS,
    databaseApplicationName: parsed.DATABASE_APPLICATION_NAME,
    internalIdentitySecret: parsed.INTERNAL_IDENTITY_SECRET,
    migrateOnStart: parsed.MIGRATE_ON_START,
    subgraphUrls: parsed.SUBGRAPH_URLS,
    eventRelayIntervalMs: parsed.EVENT_RELAY_INTERVAL_MS,
    auditRetentionDays: parsed.AUDIT_RETENTION_DAYS,
    auditPurgeIntervalMs: parsed.AUDIT_PURGE_INTERVAL_MS,
    logLevel: parsed.LOG_LEVEL,
  };
}
