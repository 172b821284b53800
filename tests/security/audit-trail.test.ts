import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { IMPORT_COLUMNS } from '../../subgraphs/teacher-registry/src/services/teacher-import';
import { demoOrgPath, startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * Issue #7 item 4 through the gateway on real PostgreSQL: every write leaves exactly one audit row
 * in the service that wrote, in the same transaction; refusals are recorded and store nothing; the
 * chain shows tampering; only auditors read the trail, each within its own subtree.
 */
const data = buildDemoDataset();
const COUNTY = '420111';
const NEIGHBOUR = '420115';
const inCounty = data.teachers.filter((t) => t.orgPath.includes(`/${COUNTY}/`));
const [t1, t2, t3] = inCounty;

const TRAIL = `query($filter: AuditTrailFilter, $first: Int, $after: String) { auditTrail(filter: $filter) { id
  teacherRegistry(first: $first, after: $after) { ...part }
  training(first: $first) { ...part }
  staffingQuota(first: $first) { ...part }
  evaluation(first: $first) { ...part } } }
  fragment part on AuditTrailPart { service verified verifiedEntries firstBrokenEntryId hasNextPage endCursor
    entries { id service at subject role organisationId clientId action operation requestId teacherIds result detail } }`;

interface Row {
  subject: string;
  role: string;
  org_id: string;
  org_path: string;
  client_id: string | null;
  action: string;
  operation: string | null;
  teacher_ids: string[];
  result: string;
  detail: Record<string, unknown>;
  request_id: string | null;
}

describe('audit trail of every write, read by auditors through the gateway', () => {
  let t: TestPlatform;
  const db = (service: string) => t.platform.subgraphs.find((s) => s.name === service)!.db;
  const rows = async (service: string, action?: string): Promise<Row[]> => {
    const q = db(service).knex(db(service).t('audit_log')).select('*').orderBy('id');
    if (action) q.where('action', action);
    return q;
  };
  const count = async (service: string, table: string) => Number((await db(service).knex(db(service).t(table)).count('* as n').first())?.n);

  beforeAll(async () => {
    t = await startTestPlatform();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('records one row per write in each subgraph with who, role, organisation, operation, teachers and result', async () => {
    const admin = await t.token('county_info_admin', COUNTY);
    const writes: { service: string; action: string; token: string; query: string; variables: Record<string, unknown>; teacherId: string }[] = [
      {
        service: 'teacher-registry',
        action: 'addContact',
        token: admin,
        query: `mutation AuditedContact($i: AddContactInput!) { addContact(input: $i) { recordId errors { code } } }`,
        variables: { i: { teacherId: t1!.id, mobile: '13800138000', validFrom: '2026-01-01' } },
        teacherId: t1!.id,
      },
      {
        service: 'training',
        action: 'declareTraining',
        token: await t.token('teacher', t2!.schoolId, { teacher_id: t2!.id }),
        query: `mutation AuditedDeclaration($i: DeclareTrainingInput!) { declareTraining(input: $i) { declaration { id } errors { code } } }`,
        variables: { i: { clientRequestId: 'audit-1', title: '省级骨干教师培训', form: 'CENTRALISED', organiser: '湖北省教育厅', hours: 20, completedOn: '2026-05-20', evidenceRef: 'HB-2026-91' } },
        teacherId: t2!.id,
      },
      {
        service: 'staffing-quota',
        action: 'exemptFromRotation',
        token: admin,
        query: `mutation AuditedExemption($i: ExemptFromRotationInput!) { exemptFromRotation(input: $i) { exempted errors { code } } }`,
        variables: { i: { teacherId: t3!.id, year: 2026, reason: '借调县教育局' } },
        teacherId: t3!.id,
      },
      {
        service: 'evaluation',
        action: 'recordEthicsEntry',
        token: admin,
        query: `mutation AuditedEthics($i: RecordEthicsEntryInput!) { recordEthicsEntry(input: $i) { entry { id } errors { code } } }`,
        variables: { i: { teacherId: t1!.id, kind: 'HONOUR', summary: '师德标兵', decidedOn: '2025-09-10', authority: '洪山区教育局', documentRef: '洪教〔2025〕12号' } },
        teacherId: t1!.id,
      },
    ];
    for (const w of writes) {
      const before = await rows(w.service);
      const { body } = await t.graphql(w.token, w.query, w.variables);
      expect(body.errors).toBeUndefined();
      const payload = Object.values(body.data as Record<string, { errors: unknown[] }>)[0]!;
      expect(payload.errors).toEqual([]);
      const added = (await rows(w.service)).slice(before.length).filter((r) => r.action === w.action);
      expect(added).toHaveLength(1);
      const viewerRole = w.service === 'training' ? 'teacher' : 'county_info_admin';
      expect(added[0]).toMatchObject({ role: viewerRole, result: 'ok', client_id: null, operation: expect.stringMatching(/^Audited[A-Za-z]+$/) });
      expect(added[0]!.teacher_ids).toContain(w.teacherId);
      expect(added[0]!.subject).toMatch(/^test-/);
      expect(added[0]!.org_path).toContain(`/${COUNTY}/`);
      expect(added[0]!.request_id).toBeTruthy();
    }
  });

  it('records a refused write as refused and stores nothing else, including writes denied by the rules', async () => {
    const contactsBefore = await count('teacher-registry', 'teacher_contact');
    const before = (await rows('teacher-registry', 'addContact')).length;
    const bad = await t.graphql(await t.token('county_info_admin', COUNTY), `mutation { addContact(input: { teacherId: "${t1!.id}", mobile: "12345", validFrom: "2026-01-01" }) { errors { code field } } }`);
    expect(bad.body.data.addContact.errors[0].code).toBe('INVALID_INPUT');
    const denied = await t.graphql(await t.token('county_query', COUNTY), `mutation { addContact(input: { teacherId: "${t1!.id}", mobile: "13800138001", validFrom: "2026-01-01" }) { errors { code } } }`);
    expect(denied.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const added = (await rows('teacher-registry', 'addContact')).slice(before);
    expect(added.map((r) => [r.role, r.result])).toEqual([
      ['county_info_admin', 'refused'],
      ['county_query', 'refused'],
    ]);
    expect(added[0]!.detail).toEqual({ errors: [{ code: 'INVALID_INPUT', field: ['input', 'mobile'] }] });
    expect(added[0]!.teacher_ids).toEqual([t1!.id]);
    expect(added[1]!.detail).toEqual({ error: 'FORBIDDEN' });
    expect(JSON.stringify(added)).not.toContain('12345');
    expect(await count('teacher-registry', 'teacher_contact')).toBe(contactsBefore);
  });

  it('audits event intake as a write by the producing service', async () => {
    const birthDate = '1994-03-12';
    const registered = await t.graphql(
      await t.token('county_info_admin', COUNTY),
      `mutation($i: RegisterTeacherInput!) { registerTeacher(input: $i) { teacher { id } errors { code field } } }`,
      { i: { name: '审计测试', gender: 'FEMALE', birthDate, idDocumentType: '1', idDocumentNumber: buildResidentId('420111', birthDate, 377, 2), ethnicity: '01',
        politicalAffiliation: '13', educationLevel: '21', staffCategory: '1', onQuota: true, employmentForm: '1', startedWorkOn: '2016-09-01', joinedSchoolOn: '2019-09-01', schoolId: t1!.schoolId } },
    );
    expect(registered.body.data.registerTeacher.errors).toEqual([]);
    const id = registered.body.data.registerTeacher.teacher.id;
    expect((await rows('teacher-registry', 'registerTeacher')).at(-1)).toMatchObject({ result: 'ok', teacher_ids: [id] });
    await Promise.all(t.platform.subgraphs.map((s) => s.relay.flush()));
    for (const service of ['training', 'staffing-quota', 'evaluation']) {
      const applied = (await rows(service)).filter((r) => r.action.startsWith('event:teacher.') && r.teacher_ids.includes(id));
      expect(applied.length).toBeGreaterThan(0);
      for (const row of applied) expect(row).toMatchObject({ role: 'system', subject: 'service:teacher-registry', org_path: '/CN/', result: 'ok' });
    }
  });

  it('records sensitive reads (ethics entries) in the trail before the data leaves', async () => {
    const admin = await t.token('county_info_admin', COUNTY);
    const before = (await rows('evaluation', 'ethics_read_entries')).length;
    const { body } = await t.graphql(admin, `query ReadEthics($id: ID!) { teacher(id: $id) { ethicsEntries { summary } } }`, { id: t1!.id });
    expect(body.errors).toBeUndefined();
    expect(body.data.teacher.ethicsEntries.map((e: { summary: string }) => e.summary)).toContain('师德标兵');
    const added = (await rows('evaluation', 'ethics_read_entries')).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ role: 'county_info_admin', teacher_ids: [t1!.id], result: 'ok' });
    expect(JSON.stringify(added)).not.toContain('师德标兵');
  });

  it('records a read the rules deny, once per field and request', async () => {
    const before = (await rows('evaluation', 'denied:Teacher.ethicsEntries')).length;
    const probe = await t.graphql(await t.token('county_query', COUNTY), `query Probe { teachers(first: 3) { nodes { name ethicsEntries { summary } } } }`);
    expect(probe.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const added = (await rows('evaluation', 'denied:Teacher.ethicsEntries')).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ role: 'county_query', result: 'refused', detail: { field: 'Teacher.ethicsEntries', operation: 'Probe' } });
    expect(added[0]!.teacher_ids).toHaveLength(1);
  });

  it('answers an auditor with every service trail of its subtree, filtered and paginated, with the chain verified', async () => {
    const auditor = await t.token('auditor', COUNTY);
    const { body } = await t.graphql(auditor, TRAIL, { filter: { teacherId: t1!.id }, first: 50 });
    expect(body.errors).toBeUndefined();
    const trail = body.data.auditTrail;
    for (const part of ['teacherRegistry', 'training', 'staffingQuota', 'evaluation']) {
      expect(trail[part].verified).toBe(true);
      expect(trail[part].verifiedEntries).toBeGreaterThanOrEqual(0);
    }
    const registry = trail.teacherRegistry.entries;
    expect(registry.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['addContact']));
    for (const e of [...registry, ...trail.evaluation.entries]) expect(e.teacherIds).toContain(t1!.id);
    expect(trail.evaluation.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['recordEthicsEntry', 'ethics_read_entries']));

    const refused = await t.graphql(auditor, TRAIL, { filter: { result: 'REFUSED', action: 'addContact' }, first: 1 });
    const page1 = refused.body.data.auditTrail.teacherRegistry;
    expect(page1.entries).toHaveLength(1);
    expect(page1.entries[0]).toMatchObject({ result: 'REFUSED', action: 'addContact', role: 'county_query' });
    expect(page1.hasNextPage).toBe(true);
    const page2 = (await t.graphql(auditor, TRAIL, { filter: { result: 'REFUSED', action: 'addContact' }, first: 1, after: page1.endCursor })).body.data.auditTrail.teacherRegistry;
    expect(page2.entries[0]).toMatchObject({ result: 'REFUSED', role: 'county_info_admin' });

    const future = await t.graphql(auditor, TRAIL, { filter: { from: '2099-01-01' } });
    expect(future.body.data.auditTrail.teacherRegistry.entries).toEqual([]);
    const invalid = await t.graphql(auditor, TRAIL, { filter: { from: 'yesterday' } });
    expect(invalid.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(invalid.body.errors?.[0]?.message).toMatch(/filter\.from/);
  });

  it("keeps a county's auditor out of the neighbouring county's entries", async () => {
    const neighbourAdmin = await t.token('county_info_admin', NEIGHBOUR);
    const neighbourTeacher = data.teachers.find((x) => x.orgPath.includes(`/${NEIGHBOUR}/`))!;
    const write = await t.graphql(neighbourAdmin, `mutation { addContact(input: { teacherId: "${neighbourTeacher.id}", mobile: "13900139000", validFrom: "2026-01-01" }) { errors { code } } }`);
    expect(write.body.data.addContact.errors).toEqual([]);
    const ours = (await t.graphql(await t.token('auditor', COUNTY), TRAIL, { first: 100 })).body.data.auditTrail;
    const theirs = (await t.graphql(await t.token('auditor', NEIGHBOUR), TRAIL, { first: 100 })).body.data.auditTrail;
    const orgs = (trail: Record<string, { entries: { organisationId: string; teacherIds: string[] }[] }>) =>
      Object.values(trail).flatMap((p) => (typeof p === 'object' ? p.entries : [])).map((e) => e.organisationId);
    expect(orgs(ours).length).toBeGreaterThan(0);
    for (const org of orgs(ours)) expect(demoOrgPath(org)).toContain(`/${COUNTY}/`);
    for (const org of orgs(theirs)) expect(demoOrgPath(org)).toContain(`/${NEIGHBOUR}/`);
    expect(orgs(theirs)).toContain(NEIGHBOUR);
    expect(orgs(theirs)).not.toContain(COUNTY);
    const province = (await t.graphql(await t.token('auditor', '420000'), TRAIL, { first: 100 })).body.data.auditTrail;
    expect(orgs(province)).toEqual(expect.arrayContaining([COUNTY, NEIGHBOUR]));
  });

  it('denies the trail to everyone but auditors, and auditors everything else', async () => {
    for (const [role, org] of [
      ['county_info_admin', COUNTY],
      ['national_system_admin', 'CN'],
      ['province_query', '420000'],
      ['analyst', '420000'],
    ] as const) {
      const { body } = await t.graphql(await t.token(role, org), `{ auditTrail { id } }`);
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(body.data).toBeNull();
    }
    const teacher = await t.graphql(await t.token('teacher', t1!.schoolId, { teacher_id: t1!.id }), `{ auditTrail { teacherRegistry { entries { id } } } }`);
    expect(teacher.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const auditor = await t.token('auditor', COUNTY);
    const teachers = await t.graphql(auditor, `{ teachers(first: 1) { totalCount } }`);
    expect(teachers.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const teacher1 = await t.graphql(auditor, `{ teacher(id: "${t1!.id}") { name } }`);
    expect(teacher1.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('names every archive a bulk import created, and records a refused import as refused', async () => {
    const headings = IMPORT_COLUMNS.map((c) => c.heading);
    const row = (n: number, overrides: Record<string, string> = {}) => {
      const birthDate = `1990-0${1 + (n % 9)}-1${n % 10}`;
      const values: Record<string, string> = {
        姓名: `审计导入${n}`, 性别: '女', 出生日期: birthDate, 身份证件类型: '居民身份证', 身份证件号: buildResidentId('420111', birthDate, 600 + n, 2),
        出生地: '420111', 民族: '汉族', 政治面貌: '群众', 学历: '大学本科毕业', 教职工类别: '专任教师', 是否在编: '是', 用人形式: '聘用制',
        参加工作年月: '2012-09', 进本校年月: '2016-09', 任教学科: '语文', 专业技术职务: '二级教师', 学校标识码: t1!.schoolId, ...overrides,
      };
      return headings.map((h) => values[h] ?? '').join(',');
    };
    const file = (rows: string[]) => Buffer.from(`\uFEFF${[headings.join(','), ...rows].join('\r\n')}\r\n`).toString('base64');
    const IMPORT = `mutation AuditedImport($i: ImportTeachersInput!) { importTeachers(input: $i) { createdCount problems { row } errors { code } } }`;
    const admin = await t.token('county_info_admin', COUNTY);
    const ok = await t.graphql(admin, IMPORT, { i: { fileName: 'audit.csv', contentBase64: file([row(1), row(2), row(3)]), dryRun: false } });
    expect(ok.body.data.importTeachers).toMatchObject({ createdCount: 3, errors: [] });
    const created = await db('teacher-registry').knex(db('teacher-registry').t('teacher')).whereLike('name', '审计导入%').pluck('id');
    const entry = (await rows('teacher-registry', 'importTeachers')).at(-1)!;
    expect(entry).toMatchObject({ result: 'ok', operation: 'AuditedImport' });
    expect([...entry.teacher_ids].sort()).toEqual([...created].sort());

    const bad = await t.graphql(admin, IMPORT, { i: { fileName: 'audit-bad.csv', contentBase64: file([row(4), row(5, { 性别: '未知的' })]), dryRun: false } });
    expect(bad.body.data.importTeachers.errors).toEqual([{ code: 'INVALID_INPUT' }]);
    expect((await rows('teacher-registry', 'importTeachers')).at(-1)).toMatchObject({ result: 'refused', detail: { errors: [{ code: 'INVALID_INPUT', field: ['input', 'contentBase64'] }] } });
  });

  it('keeps one unforked chain under concurrent writes, and filters by acting account', async () => {
    const admin = await t.token('county_info_admin', COUNTY, { sub: 'concurrent-admin' });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.graphql(admin, `mutation($i: AddContactInput!) { addContact(input: $i) { errors { code } } }`, {
          i: { teacherId: inCounty[i % inCounty.length]!.id, mobile: `1380013${String(8100 + i).padStart(4, '0')}`, validFrom: '2026-02-01' },
        }),
      ),
    );
    for (const a of answers) expect(a.body.data.addContact.errors).toEqual([]);
    const chain = await rows('teacher-registry');
    expect(new Set(chain.map((r) => (r as unknown as { prev_hash: string }).prev_hash)).size).toBe(chain.length);
    const { body } = await t.graphql(await t.token('auditor', COUNTY), TRAIL, { filter: { subject: 'concurrent-admin', to: new Date(Date.now() + 60_000).toISOString() }, first: 50 });
    const part = body.data.auditTrail.teacherRegistry;
    expect(part.verified).toBe(true);
    expect(part.entries).toHaveLength(12);
    for (const e of part.entries) expect(e).toMatchObject({ subject: 'concurrent-admin', action: 'addContact', result: 'OK' });
  });

  it('shows tampering: a row changed behind the trigger breaks the chain at that row', async () => {
    const training = db('training');
    const table = training.t('audit_log');
    await expect(training.knex(table).update({ result: 'ok' })).rejects.toThrow(/append-only/);
    const target = (await training.knex(table).orderBy('id').first('id'))!.id;
    // As a database superuser could: switch the trigger off, edit, switch it back on.
    await training.knex.raw('alter table ?? disable trigger audit_log_append_only', [table]);
    await training.knex(table).where('id', target).update({ subject: 'someone-else' });
    await training.knex.raw('alter table ?? enable trigger audit_log_append_only', [table]);
    const { body } = await t.graphql(await t.token('auditor', 'CN'), TRAIL, { first: 1 });
    expect(body.data.auditTrail.training).toMatchObject({ verified: false, firstBrokenEntryId: `training:${target}` });
    expect(body.data.auditTrail.teacherRegistry.verified).toBe(true);
  });
});
