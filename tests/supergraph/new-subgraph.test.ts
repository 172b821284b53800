import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { dropSchema, migrateLatest, migrateRollbackAll } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import { createSubgraphServer, type SubgraphDefinition } from '../../subgraphs/shared/src/subgraph-server';
import { nextPort, scaffoldSubgraph } from '../../subgraphs/shared/scaffold/new-subgraph';
import { testDatabaseUrl, uniqueSuffix } from '../helpers/database';
import { postGraphQL, TEST_INTERNAL_SECRET } from '../helpers/platform';

/**
 * `npm run new-subgraph` is exercised in a scratch copy of the repository layout (inside the
 * git-ignored .data folder, so modules resolve from the project's node_modules): the scaffold
 * registers itself, composes with the real subgraphs, migrates up and down, and serves.
 */
const ROOT = join(__dirname, '..', '..');

describe('new-subgraph scaffold', () => {
  const scratch = join(ROOT, '.data', `scaffold-${uniqueSuffix()}`);
  const name = 'teacher-honours';

  beforeAll(() => {
    mkdirSync(join(scratch, 'subgraphs'), { recursive: true });
    for (const entry of readdirSync(join(ROOT, 'subgraphs'), { withFileTypes: true })) {
      if (entry.isDirectory()) symlinkSync(join(ROOT, 'subgraphs', entry.name), join(scratch, 'subgraphs', entry.name), 'dir');
    }
    copyFileSync(join(ROOT, 'subgraphs', 'index.ts'), join(scratch, 'subgraphs', 'index.ts'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes the house shape, registers, composes, migrates both ways and serves a scoped Teacher field', async () => {
    const port = nextPort(scratch);
    expect(port).toBeGreaterThan(4004);
    const files = scaffoldSubgraph(scratch, name, port);
    for (const expected of ['schema.graphql', 'src/index.ts', 'src/server.ts', 'src/config.ts', 'src/context.ts', 'src/loaders.ts', 'src/permissions.ts', 'src/main.ts', 'src/resolvers/Teacher.ts', 'src/resolvers/Mutation.ts', 'src/db/seed.ts', 'src/db/migrations/index.ts']) {
      expect(files).toContain(`subgraphs/${name}/${expected}`);
    }
    expect(files).toContain(`tests/${name}/${name}.test.ts`);
    expect(readFileSync(join(scratch, 'subgraphs', 'index.ts'), 'utf8')).toMatch(/import \{ teacherHonours \} from '\.\/teacher-honours\/src\/index';[\s\S]*evaluation, teacherHonours\]/);
    expect(() => scaffoldSubgraph(scratch, name, port)).toThrow(/already exists/);
    expect(() => scaffoldSubgraph(scratch, 'Bad_Name', port)).toThrow(/kebab-case/);

    const { SUBGRAPHS } = require(join(scratch, 'subgraphs', 'index.ts')) as { SUBGRAPHS: SubgraphDefinition<any>[] };
    const generated = SUBGRAPHS.find((s) => s.name === name)!;
    const composed = composeServices(SUBGRAPHS.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: `http://127.0.0.1:${s.defaultPort}/graphql` })));
    expect(composed.errors).toBeUndefined();

    const schema = `teacher_honours_${uniqueSuffix()}`;
    const config = loadSubgraphConfig(name, 0, {
      DATABASE_URL: testDatabaseUrl(),
      TEACHER_HONOURS_DATABASE_SCHEMA: schema,
      TEACHER_HONOURS_PORT: '0',
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
      LOG_LEVEL: 'silent',
    });
    const running = await createSubgraphServer(generated, config);
    try {
      expect(await migrateRollbackAll(running.db, generated.migrations)).toHaveLength(generated.migrations.length);
      expect(await migrateLatest(running.db, generated.migrations)).toHaveLength(generated.migrations.length);
      expect(await generated.seedDemo(running.db, buildDemoDataset())).toBe(true);
      const teacher = buildDemoDataset().teachers.find((t) => t.orgPath.includes('/420111/'))!;
      const viewer: Viewer = { subject: 's', role: 'county_info_admin', orgId: '420111', orgPath: '/CN/420000/420100/420111/', scopes: [] };
      const headers = { [INTERNAL_IDENTITY_HEADER]: await signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60) };
      const add = await postGraphQL<any>(running.url, headers, 'mutation($t: ID!) { addTeacherHonoursRecord(input: { teacherId: $t, title: "Model teacher" }) { record { title version } errors { code } } }', { t: teacher.id });
      expect(add.body.data.addTeacherHonoursRecord).toEqual({ record: { title: 'Model teacher', version: 1 }, errors: [] });
      const read = await postGraphQL<any>(running.url, headers, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Teacher { teacherHonoursRecords { title } } } }', { r: [{ __typename: 'Teacher', id: teacher.id }] });
      expect(read.body.data._entities[0].teacherHonoursRecords).toEqual([{ title: 'Model teacher' }]);
      expect(existsSync(join(scratch, 'tests', name, `${name}.test.ts`))).toBe(true);
    } finally {
      await dropSchema(running.db);
      await running.stop();
    }
  });
});
