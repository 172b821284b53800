import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { INTERNAL_IDENTITY_HEADER, signInternalIdentity, type Viewer } from '../../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../../subgraphs';
import { postGraphQL, startTestPlatform, TEST_INTERNAL_SECRET, type TestPlatform } from '../helpers/platform';

const data = buildDemoDataset();
const hongshanPath = data.orgUnits.find((o) => o.id === '420111')!.path;
const hongshanTeachers = data.teachers.filter((t) => t.orgPath.startsWith(hongshanPath));
const jiangxiaTeacher = data.teachers.find((t) => t.orgPath.includes('/420115/'))!;

const ARCHIVE = /* GraphQL */ `#graphql
  query Archive($id: ID!) {
    teacher(id: $id) {
      id
      nationalTeacherNumber
      name
      gender
      birthDate
      school { id name level school { stage locale } staffingQuota(year: 2026) { approved occupied balance } }
      trainingProgress { completedHours remainingHours isComplete cycle { id requiredHours } }
      trainingRecords { hours form completedOn }
      importedTrainingRecords: trainingRecords(filter: { source: IMPORTED }) { hours }
      employments { onQuota employer { id name } }
      annualAssessments { year grade assessedBy { id name } }
    }
  }
`;

describe('gateway over the four subgraphs', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers one query from all four subgraphs', async () => {
    const teacher = hongshanTeachers[0]!;
    const { status, body } = await t.graphql(await t.token('county_info_admin', '420111'), ARCHIVE, { id: teacher.id });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const archive = body.data.teacher;
    expect(archive).toMatchObject({ id: teacher.id, name: teacher.name, birthDate: teacher.birthDate, gender: teacher.gender === 2 ? 'FEMALE' : 'MALE' });
    expect(archive.school).toMatchObject({ id: teacher.schoolId, level: 'SCHOOL' });
    // Every completed activity counts: the shared data set's records plus the training subgraph's own
    // demo course completions and recognised declarations.
    const hours = archive.trainingRecords
      .filter((r: { completedOn: string }) => r.completedOn >= '2024-01-01' && r.completedOn <= '2028-12-31')
      .reduce((sum: number, r: { hours: number }) => sum + r.hours, 0);
    expect(archive.trainingProgress).toMatchObject({ completedHours: hours, remainingHours: Math.max(0, 360 - hours), cycle: { id: '2024-2028' } });
    expect(archive.importedTrainingRecords).toHaveLength(data.trainingRecords.filter((r) => r.teacherId === teacher.id).length);
    expect(archive.employments[0].employer).toMatchObject({ id: teacher.schoolId });
    expect(archive.annualAssessments.map((a: { year: number }) => a.year)).toEqual(
      data.assessments.filter((a) => a.teacherId === teacher.id).map((a) => a.year).sort((a, b) => b - a),
    );
    const school = archive.school.staffingQuota;
    expect(school.balance).toBe(school.approved - school.occupied);
  });

  it('aggregates staffing over a subtree and scopes it to the viewer', async () => {
    const query = `{ a: orgUnit(id: "420111") { staffingQuota(year: 2025) { approved occupied } children { staffingQuota(year: 2025) { approved occupied } } }
                     b: orgUnit(id: "420115") { staffingQuota(year: 2025) { approved } } }`;
    const { body } = await t.graphql(await t.token('county_query', '420111'), query);
    expect(body.errors).toBeUndefined();
    const children = body.data.a.children.map((c: { staffingQuota: { approved: number; occupied: number } }) => c.staffingQuota);
    expect(body.data.a.staffingQuota.approved).toBe(children.reduce((s: number, c: { approved: number }) => s + c.approved, 0));
    expect(body.data.a.staffingQuota.occupied).toBe(children.reduce((s: number, c: { occupied: number }) => s + c.occupied, 0));
    expect(body.data.b.staffingQuota).toBeNull(); // neighbouring county
  });

  it('lists teachers of the viewer subtree with stable cursor pages and a scoped total', async () => {
    const token = await t.token('county_query', '420111');
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const { body }: { body: { data?: any; errors?: unknown[] } } = await t.graphql(token, `query($after: String) { teachers(first: 25, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(body.errors).toBeUndefined();
      total = body.data.teachers.totalCount;
      seen.push(...body.data.teachers.nodes.map((n: { id: string }) => n.id));
      after = body.data.teachers.pageInfo.hasNextPage ? body.data.teachers.pageInfo.endCursor : null;
    } while (after);
    expect(total).toBe(hongshanTeachers.length);
    expect(seen.sort()).toEqual(hongshanTeachers.map((x) => x.id).sort());
  });

  it('answers bad paging input with BAD_USER_INPUT naming the field', async () => {
    const token = await t.token('county_query', '420111');
    const big = await t.graphql(token, '{ teachers(first: 1000) { totalCount } }');
    expect(big.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const cursor = await t.graphql(token, '{ teachers(after: "not-a-cursor") { totalCount } }');
    expect(cursor.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const unknownUnit = await t.graphql(token, '{ teachers(orgUnitId: "999999") { totalCount } }');
    expect(unknownUnit.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orgUnitId' });
  });

  it('hides a neighbouring county teacher from every subgraph', async () => {
    const { body } = await t.graphql(await t.token('county_info_admin', '420111'), ARCHIVE, { id: jiangxiaTeacher.id });
    expect(body.errors).toBeUndefined();
    expect(body.data.teacher).toBeNull();
  });

  it('lets a teacher read their own archive and nobody else', async () => {
    const [me, colleague] = hongshanTeachers;
    const token = await t.token('teacher', me!.schoolId, { teacher_id: me!.id });
    const own = await t.graphql(token, ARCHIVE, { id: me!.id });
    // Everything of their own archive, but not the school's staffing quota (an administrator's figure).
    expect(own.body.errors?.map((e) => `${e.path?.join('.')}:${e.extensions?.code}`)).toEqual(['teacher.school.staffingQuota:FORBIDDEN']);
    expect(own.body.data.teacher).toMatchObject({ id: me!.id, name: me!.name });
    expect(own.body.data.teacher.annualAssessments.length).toBeGreaterThan(0);
    const other = await t.graphql(token, 'query($id: ID!) { teacher(id: $id) { id } }', { id: colleague!.id });
    expect(other.body.data.teacher).toBeNull();
    const list = await t.graphql(token, '{ teachers { totalCount } }');
    expect(list.body.data.teachers.totalCount).toBe(1);
  });

  it('denies by default: analysts get no person data, auditors no archive', async () => {
    const analyst = await t.graphql(await t.token('analyst', 'CN'), '{ teachers { totalCount } }');
    expect(analyst.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const auditor = await t.graphql(await t.token('auditor', 'CN'), ARCHIVE, { id: hongshanTeachers[0]!.id });
    expect(auditor.body.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    expect(auditor.body.data?.teacher ?? null).toBeNull();
  });

  it('gives analysts aggregates of their subtree only', async () => {
    const token = await t.token('analyst', '420000');
    const { body } = await t.graphql(token, '{ hubei: orgUnit(id: "420000") { staffingQuota(year: 2025) { approved } } beijing: orgUnit(id: "110000") { staffingQuota(year: 2025) { approved } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.hubei.staffingQuota.approved).toBeGreaterThan(0);
    expect(body.data.beijing.staffingQuota).toBeNull();
  });

  it('gives a partner with dossier:read the dossier and nothing of the quota', async () => {
    const token = await t.token('partner', '420000', { client_id: 'title-review-hb', scope: 'dossier:read' });
    const { body } = await t.graphql(token, ARCHIVE, { id: hongshanTeachers[0]!.id });
    expect(body.data?.teacher?.trainingProgress).toBeTruthy();
    const codes = body.errors?.map((e) => `${e.path?.slice(-2).join('.')}:${e.extensions?.code}`) ?? [];
    expect(codes).toContain('school.staffingQuota:FORBIDDEN');
  });

  it('refuses requests without a valid token with UNAUTHENTICATED and HTTP 401', async () => {
    const none = await t.graphql(null, '{ viewer { role } }');
    expect(none.status).toBe(401);
    expect(none.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(none.body.data).toBeUndefined();
    const forged = await t.graphql('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', '{ viewer { role } }');
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never returns internals: malformed JSON gets a clean 400', async () => {
    const response = await fetch(t.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.ts|node_modules|127\.0\.0\.1/);
  });

  it('serves /health and /ready with every subgraph answering', async () => {
    const base = new URL(t.gatewayUrl);
    expect((await fetch(new URL('/health', base))).status).toBe(200);
    const ready = await fetch(new URL('/ready', base));
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { subgraphs: Record<string, string> };
    expect(Object.keys(body.subgraphs).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    for (const s of SUBGRAPHS) {
      const health = await fetch(new URL('/health', t.subgraphUrl(s.name)));
      expect(health.status).toBe(200);
    }
  });

  describe('subgraphs answer only the gateway', () => {
    const entitiesQuery = '{ _entities(representations: [{ __typename: "Teacher", id: "00000000-0000-4000-8000-000000000000" }]) { __typename } }';

    it.each(SUBGRAPHS.map((s) => s.name))('%s rejects a request without signature, _entities included', async (name) => {
      const { status, body } = await postGraphQL(t.subgraphUrl(name), {}, entitiesQuery);
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    });

    it.each(SUBGRAPHS.map((s) => s.name))('%s rejects a header signed with another key', async (name) => {
      const viewer: Viewer = { subject: 'x', role: 'national_query', orgId: 'CN', orgPath: '/CN/', scopes: [] };
      const forged = await signInternalIdentity(viewer, 'not-the-gateway-secret-0123456789abcdef', 60);
      const { status } = await postGraphQL(t.subgraphUrl(name), { [INTERNAL_IDENTITY_HEADER]: forged }, entitiesQuery);
      expect(status).toBe(401);
    });
  });

  describe('_entities, with a gateway signature', () => {
    const signedFor = (viewer: Viewer) => signInternalIdentity(viewer, TEST_INTERNAL_SECRET, 60);
    const countyViewer: Viewer = { subject: 'x', role: 'county_query', orgId: '420111', orgPath: hongshanPath, scopes: [] };
    const inScope = hongshanTeachers[0]!;

    const cases: [string, string, string][] = [
      ['teacher-registry', 'Teacher', '... on Teacher { id name }'],
      ['training', 'Teacher', '... on Teacher { id trainingProgress { completedHours } }'],
      ['staffing-quota', 'Teacher', '... on Teacher { id employments { onQuota } }'],
      ['evaluation', 'Teacher', '... on Teacher { id annualAssessments { year } }'],
    ];
    it.each(cases)('%s resolves %s in scope and returns null outside it', async (name, typename, selection) => {
      const headers = { [INTERNAL_IDENTITY_HEADER]: await signedFor(countyViewer) };
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`;
      const representations = [
        { __typename: typename, id: inScope.id },
        { __typename: typename, id: jiangxiaTeacher.id },
        { __typename: typename, id: 'not-a-uuid' },
      ];
      const { status, body } = await postGraphQL<{ _entities: ({ id: string } | null)[] }>(t.subgraphUrl(name), headers, query, { r: representations });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities[0]?.id).toBe(inScope.id);
      expect(body.data?._entities[1]).toBeNull();
      expect(body.data?._entities[2]).toBeNull();
    });

    it('teacher-registry resolves OrgUnit', async () => {
      const headers = { [INTERNAL_IDENTITY_HEADER]: await signedFor(countyViewer) };
      const { body } = await postGraphQL<{ _entities: { id: string; name: string; level: string }[] }>(
        t.subgraphUrl('teacher-registry'),
        headers,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on OrgUnit { id name level } } }',
        { r: [{ __typename: 'OrgUnit', id: '429004' }] },
      );
      expect(body.data?._entities[0]).toEqual({ id: '429004', name: '仙桃市', level: 'COUNTY' });
    });

    it('staffing-quota resolves OrgUnit and scopes its quota', async () => {
      const headers = { [INTERNAL_IDENTITY_HEADER]: await signedFor(countyViewer) };
      const { body } = await postGraphQL<{ _entities: ({ id: string; staffingQuota: { approved: number } | null })[] }>(
        t.subgraphUrl('staffing-quota'),
        headers,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on OrgUnit { id staffingQuota(year: 2025) { approved } } } }',
        { r: [{ __typename: 'OrgUnit', id: '420111' }, { __typename: 'OrgUnit', id: '420115' }] },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities[0]?.staffingQuota?.approved).toBeGreaterThan(0);
      expect(body.data?._entities[1]?.staffingQuota).toBeNull();
    });
  });
});
