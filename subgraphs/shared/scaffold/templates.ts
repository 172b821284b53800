/**
 * The files of a new subgraph in the house shape. The example domain is deliberately small (one
 * record type per teacher) but follows every convention: a federated Teacher field, an org-scoped
 * projection fed by registry events, DataLoader batching, a graphql-shield rule per field, a
 * mutation with a UserError payload and optimistic concurrency, a reversible migration, demo data
 * and tests through the gateway.
 */
export interface ScaffoldNames {
  /** kebab-case: `teacher-honours` */
  name: string;
  /** camelCase: `teacherHonours` */
  camel: string;
  /** PascalCase: `TeacherHonours` */
  pascal: string;
  /** snake_case schema: `teacher_honours` */
  snake: string;
  port: number;
  timestamp: string;
}

export function namesFor(name: string, port: number, now = new Date()): ScaffoldNames {
  const parts = name.split('-');
  const camel = parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
  const pascal = camel[0]!.toUpperCase() + camel.slice(1);
  const timestamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return { name, camel, pascal, snake: name.replace(/-/g, '_'), port, timestamp };
}

export function scaffoldFiles(n: ScaffoldNames): Record<string, string> {
  const item = `${n.pascal}Record`;
  const field = `${n.camel}Records`;
  const migration = `${n.timestamp}_create_${n.snake}_record`;
  return {
    [`subgraphs/${n.name}/schema.graphql`]: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

"""
One ${n.name} record of a teacher. (Scaffolded example: rename and extend.)
"""
type ${item} {
  id: ID!
  title: String!
  "Optimistic concurrency: send it back when changing the record."
  version: Int!
}

type Teacher @key(fields: "id") {
  id: ID!
  "The teacher's ${n.name} records, oldest first."
  ${field}: [${item}!]!
}

"""
An expected problem with the input or the state, for the user to fix.
"""
type UserError @shareable {
  code: String!
  message: String!
  field: [String!]
}

input Add${item}Input {
  teacherId: ID!
  "1 to 200 characters."
  title: String!
}

type Add${item}Payload {
  record: ${item}
  errors: [UserError!]!
}

input Rename${item}Input {
  id: ID!
  version: Int!
  title: String!
}

type Rename${item}Payload {
  record: ${item}
  errors: [UserError!]!
}

type Mutation {
  "Adds a record to a teacher in the viewer's scope (information administrators)."
  add${item}(input: Add${item}Input!): Add${item}Payload!
  "Renames a record; refused with CONFLICT when \`version\` is stale."
  rename${item}(input: Rename${item}Input!): Rename${item}Payload!
}
`,
    [`subgraphs/${n.name}/src/db/migrations/${migration}.ts`]: `import type { SchemaMigration } from '../../../../shared/src/db';
import { addAuditTrailColumns, createAuditAppendFunction, createAuditTable, dropAuditAppendFunction, dropAuditTable } from '../../../../shared/src/audit';
import { createEventTables, dropEventTables } from '../../../../shared/src/events';
import { addTeacherScopeStatus, createTeacherScopeProjection } from '../../../../shared/src/projections';

export const create${item}: SchemaMigration = {
  name: '${migration}',
  async up(knex, schema) {
    await createTeacherScopeProjection(knex, schema);
    // The shared teacher.status-changed handler records the registry's status here.
    await addTeacherScopeStatus(knex, schema);
    await createEventTables(knex, schema);
    // Every write is audited in its own transaction (runMutation), so every subgraph has the trail.
    await createAuditTable(knex, schema);
    await addAuditTrailColumns(knex, schema);
    // A sensitive read's audit row in one statement (same lock, same hash chain).
    await createAuditAppendFunction(knex, schema);
    await knex.schema.withSchema(schema).createTable('record', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable().index();
      t.text('title').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check('char_length(title) between 1 and 200', [], 'record_title_length_check');
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('record');
    await dropAuditAppendFunction(knex, schema);
    await dropAuditTable(knex, schema);
    await dropEventTables(knex, schema);
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_scope');
  },
};
`,
    [`subgraphs/${n.name}/src/db/migrations/index.ts`]: `import type { SchemaMigration } from '../../../../shared/src/db';
import { create${item} } from './${migration}';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [create${item}];
`,
    [`subgraphs/${n.name}/src/db/seed.ts`]: `import type { Db } from '../../../shared/src/db';
import type { DemoDataset } from '../../../shared/src/demo/dataset';
import { seedTeacherScope } from '../../../shared/src/projections';

/** The teacher_scope projection for the demo teachers; later registrations arrive as events. */
export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  if (await db.knex(db.t('teacher_scope')).first('teacher_id')) return false;
  await db.knex.transaction((trx) => seedTeacherScope(trx, db, dataset));
  return true;
}
`,
    [`subgraphs/${n.name}/src/repositories/records.ts`]: `import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';

export interface RecordRow {
  id: string;
  teacherId: string;
  title: string;
  version: number;
}

const COLUMNS = ['id', 'teacher_id as teacherId', 'title', 'version'];

/** Callers pass teacher ids already authorised through the teacher_scope projection. */
export async function findRecordsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<RecordRow[]> {
  return db.knex(db.t('record')).select(COLUMNS).whereIn('teacher_id', teacherIds as string[]).orderBy(['created_at', 'id']);
}

export async function insertRecord(trx: Knex.Transaction, db: Db, row: { id: string; teacherId: string; title: string }): Promise<RecordRow> {
  const [inserted] = await trx(db.t('record')).insert({ id: row.id, teacher_id: row.teacherId, title: row.title }).returning(COLUMNS);
  return inserted as RecordRow;
}

export async function findRecord(knex: Knex, table: string, id: string): Promise<RecordRow | undefined> {
  return knex(table).first(COLUMNS).where('id', id);
}
`,
    [`subgraphs/${n.name}/src/loaders.ts`]: `import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapToMany } from '../../shared/src/loaders';
import { createTeacherScopeLoader } from '../../shared/src/projections';
import { findRecordsByTeacherIds, type RecordRow } from './repositories/records';

/** Built fresh for every request. */
export function createLoaders(db: Db, viewer: Viewer) {
  return {
    /** Scoped: null for a teacher outside the viewer's reach, also through _entities. */
    teacherById: createTeacherScopeLoader(db, viewer),
    recordsByTeacherId: new DataLoader<string, RecordRow[]>(async (ids) => mapToMany(ids, await findRecordsByTeacherIds(db, ids), (r) => r.teacherId)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
`,
    [`subgraphs/${n.name}/src/context.ts`]: `import type { SubgraphContext } from '../../shared/src/subgraph-server';
import type { Loaders } from './loaders';

export type Context = SubgraphContext<Loaders>;
`,
    [`subgraphs/${n.name}/src/permissions.ts`]: `import { allow, or, type IRules } from 'graphql-shield';
import { hasPartnerScope, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';
import { isInfoAdmin } from './rules';

/** Which teachers: decided in SQL through the teacher_scope projection. */
const canRead = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  Teacher: { id: allow, ${field}: canRead },
  ${item}: allow,
  UserError: allow,
  Add${item}Payload: allow,
  Rename${item}Payload: allow,
  Mutation: { add${item}: isInfoAdmin, rename${item}: isInfoAdmin },
};
`,
    [`subgraphs/${n.name}/src/rules.ts`]: `import { rule } from 'graphql-shield';
import { parseAdminRole } from '../../shared/src/identity';
import type { Context } from './context';

export const isInfoAdmin = rule('${n.camel}:isInfoAdmin', { cache: 'contextual' })(
  (_parent, _args, ctx: Context) => parseAdminRole(ctx.viewer.role)?.kind === 'info_admin',
);
`,
    [`subgraphs/${n.name}/src/resolvers/Teacher.ts`]: `import type { Context } from '../context';

export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.teacherById.load(ref.id),
  ${field}: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.recordsByTeacherId.load(teacher.id),
};
`,
    [`subgraphs/${n.name}/src/resolvers/Mutation.ts`]: `import { randomUUID } from 'node:crypto';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import { normaliseUuid } from '../../../shared/src/ids';
import type { Context } from '../context';
import { findRecord, insertRecord, type RecordRow } from '../repositories/records';

function checkTitle(title: string): void {
  const trimmed = title.trim();
  if (trimmed.length < 1 || trimmed.length > 200) {
    throw new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, 'The title must be 1 to 200 characters.', ['input', 'title'])]);
  }
}

/*
 * Reads and scope checks happen before the transaction, writes inside it through \`trx\` only: a
 * query on another connection while a transaction is open waits for that transaction, and on the
 * embedded single-backend database it would wait forever.
 */
export const Mutation = {
  add${item}: async (_: unknown, { input }: { input: { teacherId: string; title: string } }, ctx: Context) => {
    const teacherId = normaliseUuid(input.teacherId);
    // The scoped loader answers null outside the viewer's subtree: same answer as "no such teacher".
    const inScope = teacherId ? await ctx.loaders.teacherById.load(teacherId) : null;
    return runMutation(ctx.db.knex, async (trx) => {
      checkTitle(input.title);
      if (!teacherId || !inScope) {
        throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your area.', ['input', 'teacherId'])]);
      }
      const record = await insertRecord(trx, ctx.db, { id: randomUUID(), teacherId, title: input.title.trim() });
      ctx.loaders.recordsByTeacherId.clear(teacherId);
      return { record };
    });
  },
  rename${item}: async (_: unknown, { input }: { input: { id: string; version: number; title: string } }, ctx: Context) => {
    const id = normaliseUuid(input.id);
    const existing = id ? await findRecord(ctx.db.knex, ctx.db.t('record'), id) : undefined;
    const inScope = existing ? await ctx.loaders.teacherById.load(existing.teacherId) : null;
    return runMutation(ctx.db.knex, async (trx) => {
      checkTitle(input.title);
      if (!existing || !inScope) {
        throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No record with this id in your area.', ['input', 'id'])]);
      }
      // The version check makes the earlier read safe: a concurrent change turns into CONFLICT.
      const record = await updateWithVersion<Record<string, unknown>>(trx, ctx.db.t('record'), { column: 'id', value: existing.id }, input.version, {
        title: input.title.trim(),
      });
      ctx.loaders.recordsByTeacherId.clear(existing.teacherId);
      return { record: { id: record.id, teacherId: record.teacher_id, title: record.title, version: record.version } as RecordRow };
    });
  },
};
`,
    [`subgraphs/${n.name}/src/resolvers/index.ts`]: `import { Mutation } from './Mutation';
import { Teacher } from './Teacher';

export const resolvers = { Teacher, Mutation };
`,
    [`subgraphs/${n.name}/src/index.ts`]: `import { join } from 'node:path';
import { teacherScopeEventHandlers } from '../../shared/src/events';
import { loadTypeDefs, type SubgraphDefinition } from '../../shared/src/subgraph-server';
import { seedDemo } from './db/seed';
import { migrations } from './db/migrations';
import { createLoaders, type Loaders } from './loaders';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** ${n.name}: describe what this subgraph owns. */
export const ${n.camel}: SubgraphDefinition<Loaders> = {
  name: '${n.name}',
  defaultPort: ${n.port},
  typeDefs: loadTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  permissions,
  migrations,
  createLoaders,
  seedDemo,
  eventHandlers: { ...teacherScopeEventHandlers },
};
`,
    [`subgraphs/${n.name}/src/config.ts`]: `import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../shared/src/config';
import { ${n.camel} } from './index';

/** The only place this subgraph reads its environment. */
export function loadConfig(env: Env = process.env): SubgraphConfig {
  return loadSubgraphConfig(${n.camel}.name, ${n.camel}.defaultPort, env);
}
`,
    [`subgraphs/${n.name}/src/server.ts`]: `import type { SubgraphConfig } from '../../shared/src/config';
import { createSubgraphServer } from '../../shared/src/subgraph-server';
import { ${n.camel} } from './index';

export const createServer = (config: SubgraphConfig) => createSubgraphServer(${n.camel}, config);
`,
    [`subgraphs/${n.name}/src/main.ts`]: `import { runSubgraphProcess } from '../../shared/src/subgraph-server';
import { loadConfig } from './config';
import { ${n.camel} } from './index';

/** Process entry when this subgraph runs on its own: \`tsx subgraphs/${n.name}/src/main.ts\`. */
runSubgraphProcess(${n.camel}, () => loadConfig());
`,
    [`tests/${n.name}/${n.name}.test.ts`]: `import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const teacher = buildDemoDataset().teachers.find((t) => t.orgPath.includes('/420111/'))!;
const outsider = buildDemoDataset().teachers.find((t) => t.orgPath.includes('/420115/'))!;

describe('${n.name} through the gateway', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const ADD = 'mutation($input: Add${item}Input!) { add${item}(input: $input) { record { id title version } errors { code field } } }';
  const RENAME = 'mutation($input: Rename${item}Input!) { rename${item}(input: $input) { record { title version } errors { code field } } }';

  it('adds a record, shows it on the Teacher, and refuses a stale version', async () => {
    const token = await t.token('county_info_admin', '420111');
    const added = await t.graphql(token, ADD, { input: { teacherId: teacher.id, title: 'First record' } });
    expect(added.body.data.add${item}.errors).toEqual([]);
    const { id } = added.body.data.add${item}.record;
    const read = await t.graphql(token, 'query($id: ID!) { teacher(id: $id) { ${field} { id title } } }', { id: teacher.id });
    expect(read.body.data.teacher.${field}).toEqual([{ id, title: 'First record' }]);
    const renamed = await t.graphql(token, RENAME, { input: { id, version: 1, title: 'Renamed' } });
    expect(renamed.body.data.rename${item}.record).toEqual({ title: 'Renamed', version: 2 });
    const stale = await t.graphql(token, RENAME, { input: { id, version: 1, title: 'Lost update' } });
    expect(stale.body.data.rename${item}.errors).toEqual([{ code: 'CONFLICT', field: ['input', 'version'] }]);
  });

  it('answers bad input with a user error naming the field, and stores nothing', async () => {
    const token = await t.token('county_info_admin', '420111');
    const empty = await t.graphql(token, ADD, { input: { teacherId: teacher.id, title: '  ' } });
    expect(empty.body.data.add${item}.errors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'title'] }]);
    const elsewhere = await t.graphql(token, ADD, { input: { teacherId: outsider.id, title: 'Not mine' } });
    expect(elsewhere.body.data.add${item}.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'teacherId'] }]);
    const read = await t.graphql(token, 'query($id: ID!) { teacher(id: $id) { ${field} { title } } }', { id: teacher.id });
    expect(read.body.data.teacher.${field}.map((r: { title: string }) => r.title)).not.toContain('Not mine');
  });

  it('lets only information administrators write', async () => {
    const token = await t.token('county_query', '420111');
    const { body } = await t.graphql(token, ADD, { input: { teacherId: teacher.id, title: 'x' } });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
`,
  };
}
