import { INTERNAL_IDENTITY_HEADER, signInternalIdentity } from '../../subgraphs/shared/src/identity';
import { postGraphQL, startTestPlatform, TEST_INTERNAL_SECRET, type GraphQLBody, type TestPlatform } from '../helpers/platform';
import {
  ENTITY_PROBES,
  isAllowed,
  MUTATIONS,
  NESTED,
  mutationOperation,
  orgPathOf,
  OTHER_AT,
  OWN_CHAIN,
  PEER_TEACHER,
  teachersUnder,
  QUERIES,
  subgraphViewer,
  supergraphRootFields,
  teacherPath,
  tokenClaims,
  VIEWERS,
  type MatrixViewer,
  type RootField,
  type Target,
} from './role-matrix';

/**
 * The role × operation × organisation matrix (issue #7 item 6), run through the gateway and
 * straight against the subgraph that owns each root field. One platform for the whole file, demo
 * data as it is seeded; the table and the viewers are in role-matrix.ts.
 */
const { fields } = supergraphRootFields();
const byName = new Map(fields.map((f) => [`${f.operation}.${f.name}`, f]));

type Path = 'gateway' | 'subgraph';
let t: TestPlatform;
const tokens = new Map<string, string>();

beforeAll(async () => {
  t = await startTestPlatform({ RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_CLIENT_PER_MINUTE: '100000' });
  for (const v of VIEWERS) tokens.set(v.key, await t.token(v.role, v.org, tokenClaims(v)));
  await seedRowsOnBothSides();
}, 180_000);

/**
 * The demo data has no transfers, change requests or ethics reads: make one of each inside the
 * viewers' branch and one in 北京市, so the subtree checks of those lists have rows to leave out.
 */
async function seedRowsOnBothSides() {
  const ok = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const { body } = await t.graphql(token, query, variables);
    const payloadErrors = Object.values(body.data ?? {}).flatMap((v: any) => v?.errors ?? []);
    if (body.errors?.length || payloadErrors.length) throw new Error(`seeding failed: ${JSON.stringify(body)}`);
    return body.data;
  };
  // Long-serving teachers: a recent hire's archive may carry a future joining date that any change would trip over.
  const settled = (orgId: string) => teachersUnder(orgId).filter((x) => x.startedWorkOn < '2015-01-01' && x.id !== PEER_TEACHER.id);
  const beijing = settled('1111000101');
  const hubeiOther = settled(OTHER_AT.school!);
  const hubeiOwn = settled(OWN_CHAIN.school);
  const sides = [
    { county: await t.token('county_info_admin', '110105'), from: '1111000101', to: '1111000102', mover: beijing[2]!, proposer: beijing[3]! },
    { county: await t.token('county_info_admin', '420111'), from: OTHER_AT.school!, to: OWN_CHAIN.school, mover: hubeiOther[2]!, proposer: hubeiOwn[2]! },
  ];
  for (const side of sides) {
    await ok(side.county, 'query ($id: ID!) { teacher(id: $id) { ethicsEntries { id } } }', { id: side.proposer.id });
    await ok(
      side.county,
      'mutation ($input: RequestTransferInput!) { requestTransfer(input: $input) { errors { code message } } }',
      { input: { kind: 'TRANSFER_WITHIN_PROVINCE', teacherId: side.mover.id, fromOrgUnitId: side.from, toOrgUnitId: side.to, effectiveOn: '2026-12-01', onQuota: false } },
    );
    const teacherToken = await t.token('teacher', side.proposer.schoolId, { teacher_id: side.proposer.id, sub: `matrix-seed-${side.proposer.id}` });
    const { teacher } = await ok(teacherToken, 'query ($id: ID!) { teacher(id: $id) { version } }', { id: side.proposer.id });
    await ok(
      teacherToken,
      'mutation ($input: ProposeTeacherChangeInput!) { proposeTeacherChange(input: $input) { errors { code message } } }',
      { input: { teacherId: side.proposer.id, teacherVersion: teacher.version, changes: { formerNames: '矩阵' } } },
    );
  }
}
afterAll(async () => {
  await t?.stop();
});

async function run(path: Path, root: RootField, v: MatrixViewer, query: string, variables: Record<string, unknown>): Promise<GraphQLBody<any>> {
  if (path === 'gateway') {
    const { status, body } = await t.graphql(tokens.get(v.key)!, query, variables);
    // Refusals are GraphQL errors in a 200 answer; a 401 or 5xx is a finding in itself.
    expect(status).toBe(200);
    return body;
  }
  const header = await signInternalIdentity(subgraphViewer(v), TEST_INTERNAL_SECRET, 60);
  return (await postGraphQL<any>(t.subgraphUrl(root.subgraph), { [INTERNAL_IDENTITY_HEADER]: header }, query, variables)).body;
}

const errorsAt = (body: GraphQLBody<any>, field: string) =>
  (body.errors ?? []).filter((e) => !e.path || e.path[0] === field).map((e) => ({ code: e.extensions?.code ?? 'NONE', message: e.message }));
const codesAt = (body: GraphQLBody<any>, field: string) => errorsAt(body, field).map((e) => e.code);

/** The shield (or the resolver) refused: FORBIDDEN at the field and no data for it. */
function expectDenied(body: GraphQLBody<any>, field: string) {
  expect(codesAt(body, field)).toContain('FORBIDDEN');
  expect(body.data?.[field] ?? null).toBeNull();
}

/** Let through: no refusal and no crash at the field (bad input never crashes). */
function expectLetThrough(body: GraphQLBody<any>, field: string) {
  expect(errorsAt(body, field).filter((e) => ['FORBIDDEN', 'UNAUTHENTICATED', 'INTERNAL_SERVER_ERROR'].includes(e.code as string))).toEqual([]);
}

/** Another organisation's target yields nothing: null, no rows, or NOT_FOUND / FORBIDDEN. */
function expectNothing(body: GraphQLBody<any>, field: string) {
  expect(errorsAt(body, field).filter((e) => e.code !== 'NOT_FOUND' && e.code !== 'FORBIDDEN')).toEqual([]);
  const value = body.data?.[field] ?? null;
  if (value === null) return;
  if (typeof value === 'object' && 'nodes' in value) {
    expect(value.nodes).toEqual([]);
    if ('totalCount' in value) expect(value.totalCount).toBe(0);
    return;
  }
  throw new Error(`${field} answered data for another organisation: ${JSON.stringify(value)}`);
}

const orgPathOrNull = (orgId: string) => {
  try {
    return orgPathOf(orgId);
  } catch {
    return null;
  }
};
const reachOf = (v: MatrixViewer) => (teacherId: string) =>
  v.role === 'teacher' ? teacherId === v.teacherId : (teacherPath.get(teacherId) ?? '').startsWith(orgPathOf(v.org));

// ---------------------------------------------------------------------------------------------

describe('the matrix lists every root field of the composed supergraph', () => {
  it('no root field is missing from the table, and the table names no field that does not exist', () => {
    const inSchema = fields.map((f) => `${f.operation}.${f.name}`).sort();
    const inTable = [...Object.keys(QUERIES).map((n) => `Query.${n}`), ...Object.keys(MUTATIONS).map((n) => `Mutation.${n}`)].sort();
    expect(inSchema.filter((f) => !inTable.includes(f))).toEqual([]);
    expect(inTable.filter((f) => !inSchema.includes(f))).toEqual([]);
  });
});

const queryCases = Object.entries(QUERIES).flatMap(([name, c]) => VIEWERS.map((v) => ({ name, c, v, allowed: isAllowed(c.allowed, v) })));
const mutationCases = Object.entries(MUTATIONS).flatMap(([name, c]) => VIEWERS.map((v) => ({ name, c, v, allowed: isAllowed(c.allowed, v) })));

describe.each<Path>(['gateway', 'subgraph'])('through the %s', (path) => {
  test.each(queryCases.map((x) => [x.name, x.v.key, x.allowed ? 'allowed' : 'denied', x] as const))(
    'Query.%s as %s: %s, own organisation',
    async (name, _key, _verdict, { c, v, allowed }) => {
      const body = await run(path, byName.get(`Query.${name}`)!, v, c.query, c.vars(v.own));
      if (!allowed) return expectDenied(body, name);
      expectLetThrough(body, name);
      const value = body.data?.[name];
      if (c.scope === 'entity') expect(value).not.toBeNull();
      if (c.scope === 'rows') expect(value.nodes.length).toBeGreaterThan(0);
      if (c.scope === 'subtree') {
        const inReach = c.rowInReach ?? ((row: any) => reachOf(v)(row.teacher?.id));
        expect(value.nodes.filter((row: any) => !inReach(row, v))).toEqual([]);
        // National viewers reach both seeded sides: the list is not trivially empty.
        if (v.org === 'CN') expect(value.nodes.length).toBeGreaterThan(0);
      }
    },
  );

  const otherReads = queryCases.filter((x) => x.allowed && x.v.other && ['entity', 'rows', 'scoped'].includes(x.c.scope));
  test.each(otherReads.map((x) => [x.name, x.v.key, x] as const))('Query.%s as %s: another organisation yields nothing', async (name, _key, { c, v }) => {
    const body = await run(path, byName.get(`Query.${name}`)!, v, c.query, c.vars(v.other as Target));
    expectNothing(body, name);
  });

  test.each(mutationCases.map((x) => [x.name, x.v.key, x.allowed ? 'allowed' : 'denied', x] as const))(
    'Mutation.%s as %s: %s',
    async (name, _key, _verdict, { c, v, allowed }) => {
      const root = byName.get(`Mutation.${name}`)!;
      const { query, variables } = mutationOperation(root.field, { provinceCode: v.own.provinceCode, ...c.valid });
      const body = await run(path, root, v, query, variables);
      if (!allowed) return expectDenied(body, name);
      expectLetThrough(body, name);
    },
  );

  const otherWrites = mutationCases.filter((x) => x.allowed && x.v.other && x.c.target && isAllowed(x.c.targetFor ?? x.c.allowed, x.v));
  test.each(otherWrites.map((x) => [x.name, x.v.key, x] as const))('Mutation.%s as %s: another organisation is not written', async (name, _key, { c, v }) => {
    const root = byName.get(`Mutation.${name}`)!;
    const { query, variables } = mutationOperation(root.field, { ...c.valid, ...c.target!(v.other as Target) });
    const body = await run(path, root, v, query, variables);
    const userErrors: { code: string; message: string; field?: string[] }[] = body.data?.[name]?.errors ?? [];
    // Something must refuse, and the scope must be among the reasons (not only input validation).
    const all = [...errorsAt(body, name), ...userErrors];
    const scopeCodes = c.scopeCodes ?? ['NOT_FOUND', 'FORBIDDEN'];
    expect(all.some((e) => scopeCodes.includes(e.code as string)) ? 'refused for scope' : all).toBe('refused for scope');
  });
});

describe('_entities straight against each subgraph, with own and another organisation\'s ids', () => {
  const cases = ENTITY_PROBES.flatMap((probe) => VIEWERS.map((v) => ({ probe, v, reader: isAllowed(probe.readers, v) })));
  test.each(cases.map((x) => [x.probe.subgraph, x.probe.typename, x.probe.selection, x.v.key, x] as const))(
    '%s %s { %s } as %s',
    async (subgraph, typename, selection, _key, { probe, v, reader }) => {
      const ids = [probe.id(v.own), ...(v.other ? [probe.id(v.other)] : [])];
      const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { id ${selection} } } }`;
      const header = await signInternalIdentity(subgraphViewer(v), TEST_INTERNAL_SECRET, 60);
      const { body } = await postGraphQL<any>(t.subgraphUrl(subgraph), { [INTERNAL_IDENTITY_HEADER]: header }, query, {
        r: ids.map((id) => ({ __typename: typename, id })),
      });
      // Refusals are FORBIDDEN / NOT_FOUND, never a crash.
      expect((body.errors ?? []).filter((e) => !['FORBIDDEN', 'NOT_FOUND'].includes(e.extensions?.code as string))).toEqual([]);
      const [own, other] = body.data?._entities ?? [];
      if (!(reader && probe.ownMayBeEmpty?.(v))) expect(probe.hasData(own)).toBe(reader);
      if (v.other) expect(probe.hasData(other)).toBe(false);
    },
  );
});

describe('nested person-level rows and aggregates through the gateway', () => {
  const cases = Object.entries(NESTED).flatMap(([name, c]) => VIEWERS.map((v) => ({ name, c, v, allowed: isAllowed(c.allowed, v) })));
  test.each(cases.map((x) => [x.name, x.v.key, x.allowed ? 'allowed' : 'denied', x] as const))('%s as %s: %s, own organisation', async (_name, _key, _verdict, { c, v, allowed }) => {
    const { body } = await t.graphql(tokens.get(v.key)!, c.query, c.vars(v.own));
    const codes = (body.errors ?? []).map((e) => e.extensions?.code);
    const { teacherIds, orgIds = [], present } = c.extract(body.data);
    if (!allowed) {
      expect(present).toBe(false);
      expect(codes).toContain('FORBIDDEN');
      return;
    }
    expect(codes.filter((code) => code !== 'NOT_FOUND')).toEqual([]);
    if (!c.ownMayBeEmpty?.(v)) expect(present).toBe(true);
    expect(teacherIds.filter((id) => !reachOf(v)(id))).toEqual([]);
    expect(orgIds.filter((id) => !orgPathOrNull(id)?.startsWith(orgPathOf(v.org)))).toEqual([]);
  });
  const others = cases.filter((x) => x.allowed && x.v.other && x.c.hasOther);
  test.each(others.map((x) => [x.name, x.v.key, x] as const))('%s as %s: another organisation yields nothing', async (_name, _key, { c, v }) => {
    const { body } = await t.graphql(tokens.get(v.key)!, c.query, c.vars(v.other as Target));
    expect((body.errors ?? []).filter((e) => !['NOT_FOUND', 'FORBIDDEN'].includes(e.extensions?.code as string))).toEqual([]);
    expect(c.extract(body.data).present).toBe(false);
  });
});
