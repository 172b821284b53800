import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { composeApiSchema } from '../../schema/compose';
import { loadOperationManifest, operationId } from '../../gateway/src/partners';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const ROOT = join(__dirname, '..', '..');
const committedManifest = join(ROOT, 'gateway', 'partners', 'operations.json');
const teacher = buildDemoDataset().teachers.find((x) => x.orgPath.includes('/420000/'))!;
const VIEWER_QUERY = 'query WhoAmI { viewer { role } }';

describe('registered operations', () => {
  it('every committed operation is valid against the current schema', () => {
    const schema = composeApiSchema();
    for (const op of loadOperationManifest(committedManifest).operations) {
      expect([op.name, validate(schema, parse(op.body)).map((e) => e.message)]).toEqual([op.name, []]);
    }
  });

  // Spawns the real command four times; composing the schema for validation takes seconds each.
  it('the command adds, lists and exports, refusing invalid operations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-'));
    try {
      const manifest = join(dir, 'operations.json');
      writeFileSync(manifest, '{ "version": 1, "operations": [] }');
      const run = (...args: string[]) =>
        spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'gateway', 'cli', 'operations.ts'), ...args, '--manifest', manifest], { encoding: 'utf8' });
      const file = join(dir, 'who.graphql');
      writeFileSync(file, VIEWER_QUERY);
      expect(run('add', file, '--clients', 'awards-system').status).toBe(0);
      expect(loadOperationManifest(manifest).operations).toEqual([{ id: operationId(VIEWER_QUERY), name: 'WhoAmI', clients: ['awards-system'], body: VIEWER_QUERY }]);
      expect(run('list', '--client', 'awards-system').stdout).toContain('WhoAmI');
      expect(JSON.parse(run('export', '--client', 'awards-system').stdout).operations.WhoAmI.id).toBe(operationId(VIEWER_QUERY));
      writeFileSync(file, 'query Broken { viewer { noSuchField } }');
      const broken = run('add', file);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toContain('noSuchField');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('partner clients at the gateway', () => {
  let t: TestPlatform;
  const dir = mkdtempSync(join(tmpdir(), 'ops-'));
  const manifest = join(dir, 'operations.json');
  const archive = loadOperationManifest(committedManifest).operations.find((op) => op.name === 'TeacherArchive')!;

  beforeAll(async () => {
    copyFileSync(committedManifest, manifest);
    const whoAmI = { id: operationId(VIEWER_QUERY), name: 'WhoAmI', clients: ['awards-system'], body: VIEWER_QUERY };
    const content = JSON.parse(readFileSync(manifest, 'utf8'));
    content.operations.push(whoAmI);
    writeFileSync(manifest, JSON.stringify(content));
    t = await startTestPlatform({ OPERATION_MANIFEST_FILE: manifest, REGISTERED_OPERATIONS_ONLY: 'true' });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const partner = (client: string, scope = 'dossier:read') => t.token('partner', '420000', { client_id: client, scope, sub: `${client}-token` });
  const send = async (token: string, body: Record<string, unknown>) => {
    const response = await fetch(t.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
  };

  it('runs a registered operation sent by id, and by persisted-query hash', async () => {
    const token = await partner('title-review-hb');
    const byId = await send(token, { documentId: archive.id, variables: { id: teacher.id } });
    expect(byId.status).toBe(200);
    expect(byId.body.data.teacher).toMatchObject({ id: teacher.id, name: teacher.name });
    const byHash = await send(token, { extensions: { persistedQuery: { version: 1, sha256Hash: archive.id } }, variables: { id: teacher.id } });
    expect(byHash.body.data.teacher.id).toBe(teacher.id);
  });

  it('refuses free text and other clients\' operations from a client held to its manifest', async () => {
    const token = await partner('title-review-hb');
    const freeText = await send(token, { query: '{ teachers { totalCount } }' });
    expect(freeText.status).toBe(403);
    expect(freeText.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_OPERATION_REQUIRED');
    const notTheirs = await send(token, { documentId: operationId(VIEWER_QUERY) });
    expect(notTheirs.status).toBe(403);
    // The registered text itself, sent as free text, is recognised as the registered operation.
    const sameText = await send(token, { query: archive.body, variables: { id: teacher.id } });
    expect(sameText.body.data.teacher.id).toBe(teacher.id);
  });

  it('refuses unregistered clients and scopes the client was not granted', async () => {
    const unknown = await send(await partner('rogue-app'), { query: VIEWER_QUERY });
    expect(unknown.status).toBe(401);
    const overreach = await send(await partner('awards-system', 'dossier:read org:read'), { documentId: operationId(VIEWER_QUERY) });
    expect(overreach.status).toBe(403);
    expect(overreach.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps free text and automatic persisted queries for everyone else', async () => {
    const token = await t.token('county_query', '420111');
    const query = 'query ApqProbe { viewer { role } }';
    const hash = operationId(query);
    const miss = await send(token, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(miss.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await send(token, { query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).status).toBe(200);
    const hit = await send(token, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(hit.body.data.viewer.role).toBe('county_query');
    // An unregistered client outside the manifest rule (demo-partner) may use free text.
    expect((await send(await partner('demo-partner'), { query: VIEWER_QUERY })).status).toBe(200);
  });

  it('answers an unknown document id clearly', async () => {
    const response = await send(await t.token('county_query', '420111'), { documentId: 'f'.repeat(64) });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
