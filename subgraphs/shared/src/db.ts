import knexFactory, { type Knex } from 'knex';
import { types as pgTypes } from 'pg';

/**
 * PostgreSQL access for one subgraph. Every subgraph owns one PostgreSQL schema and writes
 * schema-qualified names (`db.t('teacher')`), never relying on search_path: the embedded database
 * multiplexes every connection onto one backend, where a session setting would leak between services.
 */
export interface Db {
  knex: Knex;
  schema: string;
  /** Schema-qualified table name. */
  t(table: string): string;
  destroy(): Promise<void>;
}

// DATE columns stay 'YYYY-MM-DD' strings: converting them to JS Dates shifts them by the time zone.
pgTypes.setTypeParser(1082, (value) => value);
// COUNT(*) and SUM of integers are bigint; the counts here are far below 2^53.
pgTypes.setTypeParser(20, (value) => Number(value));
// NUMERIC holds hours and credits with one or two decimals: a double represents them exactly enough.
pgTypes.setTypeParser(1700, (value) => Number(value));

export interface DbOptions {
  url: string;
  schema: string;
  poolMax: number;
  statementTimeoutMs: number;
  applicationName: string;
}

export function createDb(options: DbOptions): Db {
  const knex = knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.url,
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs,
      idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
    },
    pool: { min: 0, max: options.poolMax, idleTimeoutMillis: 30000 },
    acquireConnectionTimeout: 10000,
  });
  return {
    knex,
    schema: options.schema,
    t: (table) => `${options.schema}.${table}`,
    destroy: () => knex.destroy(),
  };
}

/** A migration receives the schema it runs in, so tests can run the same files in a throw-away schema. */
export interface SchemaMigration {
  /** Timestamped, append-only: `20261128100000_create_teacher`. */
  name: string;
  up(knex: Knex, schema: string): Promise<void>;
  down(knex: Knex, schema: string): Promise<void>;
}

function migrationConfig(schema: string, migrations: readonly SchemaMigration[]): Knex.MigratorConfig {
  const names = migrations.map((m) => m.name);
  if (new Set(names).size !== names.length) throw new Error(`duplicate migration name in ${schema}`);
  const sorted = [...names].sort();
  if (sorted.join() !== names.join()) throw new Error(`migrations of ${schema} are not listed in timestamp order`);
  return {
    schemaName: schema,
    tableName: 'knex_migrations',
    migrationSource: {
      getMigrations: async () => [...migrations],
      getMigrationName: (m: SchemaMigration) => m.name,
      getMigration: async (m: SchemaMigration) => ({
        up: (knex: Knex) => m.up(knex, schema),
        down: (knex: Knex) => m.down(knex, schema),
      }),
    },
  };
}

/** Creates the subgraph's schema if needed and applies pending migrations; returns the names applied. */
export async function migrateLatest(db: Db, migrations: readonly SchemaMigration[]): Promise<string[]> {
  await db.knex.raw('create schema if not exists ??', [db.schema]);
  const [, applied] = (await db.knex.migrate.latest(migrationConfig(db.schema, migrations))) as [number, string[]];
  return applied;
}

/** Reverses every applied migration (used by tests to prove each down undoes its up). */
export async function migrateRollbackAll(db: Db, migrations: readonly SchemaMigration[]): Promise<string[]> {
  const [, reverted] = (await db.knex.migrate.rollback(migrationConfig(db.schema, migrations), true)) as [number, string[]];
  return reverted;
}

export async function dropSchema(db: Db): Promise<void> {
  await db.knex.raw('drop schema if exists ?? cascade', [db.schema]);
}
