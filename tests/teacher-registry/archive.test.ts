import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoArchive } from '../../subgraphs/teacher-registry/src/db/demo-archive';
import { buildResidentId, parseResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { countQueries } from '../helpers/query-counter';
import { startRegistry, validRegistration, type RegistryHarness } from './harness';

const data = buildDemoDataset();
const hongshanTeachers = data.teachers.filter((t) => t.orgPath.includes('/420111/'));

describe('GB 11643 resident ID numbers', () => {
  it('accepts a valid number (X check digit included) and derives birth date and gender', () => {
    expect(parseResidentId('11010519491231002x')).toEqual({ ok: true, facts: { number: '11010519491231002X', divisionCode: '110105', birthDate: '1949-12-31', gender: 2 } });
    expect(parseResidentId('420111198506020017')).toMatchObject({ ok: true, facts: { birthDate: '1985-06-02', gender: 1 } });
  });
  it('refuses malformed numbers, impossible dates and wrong check digits', () => {
    expect(parseResidentId('42011119850602001')).toMatchObject({ ok: false, problem: 'FORMAT' });
    expect(parseResidentId('4201111985060200AB')).toMatchObject({ ok: false, problem: 'FORMAT' });
    expect(parseResidentId('420111198502300015')).toMatchObject({ ok: false, problem: 'BIRTH_DATE' });
    expect(parseResidentId('420111198506020018')).toMatchObject({ ok: false, problem: 'CHECK_DIGIT' });
  });
  it('gives every demo teacher a valid number consistent with birth date and gender', () => {
    const archive = buildDemoArchive(data);
    for (const teacher of data.teachers) {
      const parsed = parseResidentId(archive.teacherColumns.get(teacher.id)!.id_document_number as string);
      expect(parsed).toMatchObject({ ok: true, facts: { birthDate: teacher.birthDate, gender: teacher.gender } });
    }
    const numbers = new Set(data.teachers.map((t) => archive.teacherColumns.get(t.id)!.id_document_number));
    expect(numbers.size).toBe(data.teachers.length);
    expect(buildResidentId('420111', '1990-03-15', 2, 2)).toBe('420111199003150025');
  });
});

describe('teacher archive queries', () => {
  let h: RegistryHarness;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows basic information with real code sets, identity documents and sub-records', async () => {
    const me = hongshanTeachers[0]!;
    const viewer = h.viewer('teacher', me.schoolId, { teacherId: me.id });
    const { data: body, errors } = await h.graphql(
      viewer,
      `query($id: ID!) { teacher(id: $id) { name gender birthDate idDocument { type { code label } number derivedBirthDate derivedGender }
        ethnicity { code label } educationLevel { code label } staffCategory { code label } onQuota startedWorkOn status recordStatus version
        educationHistory { institution educationLevel { code } isHighest provenance { sourceSystem verified } }
        workHistory { organisationName organisation { id } } qualificationCertificates { kind { label } certificateNumber }
        contacts { mobile validFrom } fieldProvenance { field sourceSystem verified } } }`,
      { id: me.id },
    );
    expect(errors).toBeUndefined();
    const t = body.teacher;
    expect(t).toMatchObject({ name: me.name, birthDate: me.birthDate, status: 'ACTIVE', recordStatus: 'APPROVED', version: 1 });
    expect(t.idDocument).toMatchObject({ type: { code: '1', label: '居民身份证' }, derivedBirthDate: me.birthDate, derivedGender: t.gender });
    expect(t.ethnicity.label).toMatch(/族$/);
    expect(t.educationHistory.length).toBeGreaterThanOrEqual(1);
    expect(t.workHistory[0].organisation.id).toBe(me.schoolId);
    expect(t.qualificationCertificates).toHaveLength(1);
    expect(t.contacts[0].mobile).toMatch(/^1\d{2}\*{4}\d{4}$/); // masked by default
    expect(t.fieldProvenance).toContainEqual({ field: 'name', sourceSystem: 'demo', verified: true });
  });

  it('finds a teacher by national teacher number, within scope only', async () => {
    const me = hongshanTeachers[5]!;
    const q = `query($n: String!) { teacherByNumber(nationalTeacherNumber: $n) { id name school { id } } }`;
    const own = await h.graphql(h.viewer('county_query', '420111'), q, { n: me.nationalTeacherNumber });
    expect(own.data.teacherByNumber).toEqual({ id: me.id, name: me.name, school: { id: me.schoolId } });
    const other = await h.graphql(h.viewer('county_query', '420115'), q, { n: me.nationalTeacherNumber });
    expect(other.data.teacherByNumber).toBeNull();
  });

  it('keeps identity documents and contacts away from partners while they read the dossier', async () => {
    const partner = h.viewer('partner', '420000', { clientId: 'p', scopes: ['dossier:read'] });
    const ok = await h.graphql(partner, `{ teachers(first: 1) { nodes { name titleAppointments { title { code } } } } }`);
    expect(ok.errors).toBeUndefined();
    const denied = await h.graphql(partner, `{ teachers(first: 1) { nodes { idDocument { number } } } }`);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('filters by subtree, name, gender, staff category, title, subject, stage, on-quota and status', async () => {
    const admin = h.viewer('province_query', '420000');
    const q = `query($f: TeacherFilter) { teachers(filter: $f, first: 100) { totalCount nodes { id name gender staffCategory { code } title { code } subject onQuota school { id school { stage } } } } }`;
    const all = (await h.graphql(admin, q, { f: { orgUnitId: '420111' } })).data.teachers;
    expect(all.totalCount).toBe(hongshanTeachers.length);
    const female = (await h.graphql(admin, q, { f: { orgUnitId: '420111', gender: 'FEMALE' } })).data.teachers;
    expect(female.totalCount).toBe(hongshanTeachers.filter((t) => t.gender === 2).length);
    const primary = (await h.graphql(admin, q, { f: { stage: 'PRIMARY' } })).data.teachers;
    expect(primary.nodes.every((n: any) => n.school.school.stage === 'PRIMARY')).toBe(true);
    expect(primary.totalCount).toBe(data.teachers.filter((t) => t.orgPath.startsWith('/CN/420000/') && ['1142000101', '1142000202', '1142000401'].includes(t.schoolId)).length);
    const viaUnit = await h.graphql(admin, `{ orgUnit(id: "420111") { teachers(filter: { gender: FEMALE }) { totalCount } } }`);
    expect(viaUnit.data.orgUnit.teachers.totalCount).toBe(female.totalCount);
    const unitTwice = await h.graphql(admin, `{ orgUnit(id: "420111") { teachers(filter: { orgUnitId: "420115" }) { totalCount } } }`);
    expect(unitTwice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.orgUnitId' });
    const combined = (await h.graphql(admin, q, { f: { orgUnitId: '420111', staffCategory: '1', title: 'first', onQuota: true, status: 'ACTIVE' } })).data.teachers;
    expect(combined.nodes.every((n: any) => n.staffCategory.code === '1' && n.title.code === 'first' && n.onQuota)).toBe(true);
    const expectedCombined = all.nodes.filter((n: any) => n.staffCategory.code === '1' && n.title?.code === 'first' && n.onQuota).length;
    expect(combined.totalCount).toBe(expectedCombined);
    const subject = all.nodes[0].subject;
    const bySubject = (await h.graphql(admin, q, { f: { orgUnitId: '420111', subject } })).data.teachers;
    expect(bySubject.totalCount).toBe(all.nodes.filter((n: any) => n.subject === subject).length);
    const surname = hongshanTeachers[0]!.name.slice(0, 1);
    const byName = (await h.graphql(admin, q, { f: { orgUnitId: '420111', nameContains: surname } })).data.teachers;
    expect(byName.totalCount).toBe(hongshanTeachers.filter((t) => t.name.includes(surname)).length);
  });

  it('answers malformed filters with BAD_USER_INPUT naming the field', async () => {
    const admin = h.viewer('province_query', '420000');
    const q = `query($f: TeacherFilter) { teachers(filter: $f) { totalCount } }`;
    for (const [f, field] of [
      [{ staffCategory: '99' }, 'filter.staffCategory'],
      [{ title: 'emperor' }, 'filter.title'],
      [{ nameContains: ' ' }, 'filter.nameContains'],
      [{ orgUnitId: '999999' }, 'filter.orgUnitId'],
    ] as const) {
      const { errors } = await h.graphql(admin, q, { f });
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('counts headcounts of a subtree in the viewer scope, for analysts too', async () => {
    const q = `{ orgUnit(id: "420111") { statistics { activeTeachers onQuota byGender { code label count } byStaffCategory { code count } byTitle { code count } byStatus { code count } } children { id statistics { activeTeachers } } } }`;
    const analyst = await h.graphql(h.viewer('analyst', '420000'), q);
    expect(analyst.errors).toBeUndefined();
    const stats = analyst.data.orgUnit.statistics;
    expect(stats.activeTeachers).toBe(hongshanTeachers.length);
    expect(stats.byGender.find((b: any) => b.code === '2')).toMatchObject({ label: '女', count: hongshanTeachers.filter((t) => t.gender === 2).length });
    expect(stats.byStaffCategory.reduce((sum: number, b: any) => sum + b.count, 0)).toBe(hongshanTeachers.length);
    expect(analyst.data.orgUnit.children.map((c: any) => c.statistics.activeTeachers)).toEqual(
      ['1142000101', '1142000102'].map((id) => data.teachers.filter((t) => t.schoolId === id).length),
    );
    const byStage = (await h.graphql(h.viewer('analyst', '420000'), `{ orgUnit(id: "420111") { statistics { byStage { code label count } byLocale { code count } bySubject { count } byAgeBand { code count } } } }`)).data.orgUnit.statistics;
    expect(byStage.byStage).toEqual([
      { code: 'primary', label: '小学', count: data.teachers.filter((t) => t.schoolId === '1142000101').length },
      { code: 'senior_secondary', label: '高中', count: data.teachers.filter((t) => t.schoolId === '1142000102').length },
    ]);
    expect(byStage.byLocale).toEqual([{ code: 'urban', count: hongshanTeachers.length }]);
    for (const breakdown of [byStage.bySubject, byStage.byAgeBand]) expect(breakdown.reduce((sum: number, b: any) => sum + b.count, 0)).toBe(hongshanTeachers.length);
    // A neighbouring county sees nothing of Hongshan: its statistics count zero teachers.
    const neighbour = await h.graphql(h.viewer('county_query', '420115'), q);
    expect(neighbour.data.orgUnit.statistics.activeTeachers).toBe(0);
    // Analysts never read persons.
    const persons = await h.graphql(h.viewer('analyst', '420000'), '{ teachers { totalCount } }');
    expect(persons.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('navigates children, ancestors and subtree search', async () => {
    const v = h.viewer('national_query', 'CN');
    const { data: body } = await h.graphql(
      v,
      `{ orgUnit(id: "1142000402") { ancestors { id } }
         hubei: orgUnit(id: "420000") { children { id level } rural: descendants(level: SCHOOL, nameContains: "镇") { nodes { id name school { locale } } } }
         xiantao: orgUnit(id: "CN") { descendants(nameContains: "仙桃", first: 2) { nodes { id } pageInfo { hasNextPage } } } }`,
    );
    expect(body.orgUnit.ancestors.map((a: any) => a.id)).toEqual(['CN', '420000', '429004']);
    expect(body.hubei.children).toContainEqual({ id: '429004', level: 'COUNTY' });
    expect(body.hubei.rural.nodes.map((n: any) => n.id)).toEqual(['1142000302']);
    expect(body.xiantao.descendants.nodes).toHaveLength(2);
    expect(body.xiantao.descendants.pageInfo.hasNextPage).toBe(true);
  });

  it('costs a constant number of SQL statements for a page of 10 or 100 teachers with school and sub-records', async () => {
    const admin = h.viewer('national_query', 'CN');
    const q = `query($n: Int!) { teachers(first: $n) { totalCount nodes { id name school { name parent { name } statistics { activeTeachers } }
      educationHistory { institution } workHistory { organisation { name } } titleAppointments { title { label } } qualificationCertificates { certificateNumber }
      skillCertificates { name } contacts { mobile } awards { name } rotationHistory { kind } identificationDocuments { number } changeRequests { id } changeHistory { action } } } }`;
    const small = await countQueries([h.server.db.knex], () => h.graphql(admin, q, { n: 10 }));
    const large = await countQueries([h.server.db.knex], () => h.graphql(admin, q, { n: 100 }));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data.teachers.nodes).toHaveLength(100);
    // The outbox relay polls on a timer in the background: its statements are not the request's.
    const statements = (sql: string[]) => sql.filter((s) => !s.includes('.outbox')).length;
    expect(statements(large.sql)).toBe(statements(small.sql));
    expect(statements(large.sql)).toBeLessThanOrEqual(20);
  });
});

describe('registering teachers and adding sub-records', () => {
  let h: RegistryHarness;
  const countTeachers = async () => Number((await h.server.db.knex(h.server.db.t('teacher')).count('* as c'))[0]!.c);
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const register = `mutation($input: RegisterTeacherInput!) { registerTeacher(input: $input) { teacher { id nationalTeacherNumber recordStatus version school { id } fieldProvenance { field verified authority } }
    errors { code message field } } }`;

  it('registers a valid teacher, assigns a national number and announces teacher.registered', async () => {
    const admin = h.viewer('school_info_admin', '1142000101');
    const { data: body } = await h.graphql(admin, register, { input: validRegistration() });
    expect(body.registerTeacher.errors).toEqual([]);
    const teacher = body.registerTeacher.teacher;
    expect(teacher).toMatchObject({ recordStatus: 'DRAFT', version: 1, school: { id: '1142000101' } });
    expect(teacher.nationalTeacherNumber).toMatch(/^422012\d{10}$/);
    expect(teacher.fieldProvenance).toContainEqual({ field: 'name', verified: false, authority: 'registration' });
    const events = await h.server.db.knex(h.server.db.t('outbox')).where('type', 'teacher.registered');
    expect(events.map((e: any) => e.payload.teacherId)).toContain(teacher.id);
    expect(new Set(events.map((e: any) => e.consumer))).toEqual(new Set(['training', 'staffing-quota', 'evaluation']));

    const again = await h.graphql(admin, register, { input: validRegistration({ name: '另一个名字' }) });
    expect(again.data.registerTeacher.errors).toEqual([expect.objectContaining({ code: 'DUPLICATE', field: ['input', 'idDocumentNumber'] })]);
  });

  it.each([
    ['a malformed ID number', { idDocumentNumber: '42011119900315002' }, 'idDocumentNumber'],
    ['a wrong check digit', { idDocumentNumber: '420111199003150026' }, 'idDocumentNumber'],
    ['an impossible date inside the ID number', { idDocumentNumber: '420111199002300024' }, 'idDocumentNumber'],
    ['a birth date differing from the ID number', { birthDate: '1990-03-16' }, 'birthDate'],
    ['a gender differing from the ID number', { gender: 'MALE' }, 'gender'],
    ['an unknown ethnicity code', { ethnicity: '57' }, 'ethnicity'],
    ['an unknown staff category', { staffCategory: 'X' }, 'staffCategory'],
    ['an oversized name', { name: '长'.repeat(51) }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['joining the school before starting work', { joinedSchoolOn: '2010-09-01' }, 'joinedSchoolOn'],
    ['a start of work in the future', { startedWorkOn: '2999-09-01', joinedSchoolOn: '2999-09-01' }, 'startedWorkOn'],
  ])('refuses %s, naming the field, and stores nothing', async (_label, overrides, field) => {
    const before = await countTeachers();
    const { data: body } = await h.graphql(h.viewer('county_info_admin', '420111'), register, { input: validRegistration({ idDocumentNumber: '420111199003150041', ...overrides }) });
    expect(body.registerTeacher.teacher).toBeNull();
    expect(body.registerTeacher.errors).toContainEqual(expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', field] }));
    expect(await countTeachers()).toBe(before);
  });

  it('refuses an impossible calendar date at the API boundary', async () => {
    const { errors } = await h.graphql(h.viewer('county_info_admin', '420111'), register, { input: validRegistration({ birthDate: '1990-02-30' }) });
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a school outside the administrator subtree, and query accounts cannot write', async () => {
    const outside = await h.graphql(h.viewer('county_info_admin', '420115'), register, { input: validRegistration({ idDocumentNumber: '420111199003150041' }) });
    expect(outside.data.registerTeacher.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'schoolId'] })]);
    const query = await h.graphql(h.viewer('county_query', '420111'), register, { input: validRegistration() });
    expect(query.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('adds sub-record rows over time and rejects bad ones', async () => {
    const me = hongshanTeachers[1]!;
    const teacher = h.viewer('teacher', me.schoolId, { teacherId: me.id });
    const add = `mutation($input: AddEducationRecordInput!) { addEducationRecord(input: $input) { recordId teacher { educationHistory { institution provenance { enteredRole verified } } } errors { code field } } }`;
    const ok = await h.graphql(teacher, add, { input: { teacherId: me.id, startsOn: '2019-09-01', endsOn: '2022-06-30', institution: '华中师范大学', educationLevel: '14', degree: '硕士' } });
    expect(ok.data.addEducationRecord.errors).toEqual([]);
    expect(ok.data.addEducationRecord.teacher.educationHistory.at(-1)).toMatchObject({ institution: '华中师范大学', provenance: { enteredRole: 'teacher', verified: false } });
    const backwards = await h.graphql(teacher, add, { input: { teacherId: me.id, startsOn: '2019-09-01', endsOn: '2018-06-30', institution: 'x', educationLevel: '99' } });
    expect(backwards.data.addEducationRecord.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: ['input', 'endsOn'] }), expect.objectContaining({ field: ['input', 'educationLevel'] })]),
    );
    const other = await h.graphql(teacher, add, { input: { teacherId: hongshanTeachers[2]!.id, startsOn: '2019-09-01', institution: 'x', educationLevel: '21' } });
    expect(other.data.addEducationRecord.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    const contact = await h.graphql(teacher, `mutation { addContact(input: { teacherId: "${me.id}", mobile: "12345", validFrom: "2024-01-01" }) { errors { code field } } }`);
    expect(contact.data.addContact.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'mobile'] })]);
    const title = await h.graphql(teacher, `mutation { addTitleAppointment(input: { teacherId: "${me.id}", title: "senior", appointedOn: "2024-01-01" }) { errors { code } } }`);
    expect(title.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('adds further identification documents typed by the code set, one archive per document', async () => {
    const me = hongshanTeachers[4]!;
    const admin = h.viewer('school_info_admin', me.schoolId);
    const add = `mutation($input: AddIdentificationDocumentInput!) { addIdentificationDocument(input: $input) { teacher { identificationDocuments { type { code label } number validUntil } } errors { code field } } }`;
    const passport = await h.graphql(admin, add, { input: { teacherId: me.id, documentType: 'A', documentNumber: 'E12345678', validUntil: '2031-05-01' } });
    expect(passport.data.addIdentificationDocument.errors).toEqual([]);
    expect(passport.data.addIdentificationDocument.teacher.identificationDocuments).toEqual([
      expect.objectContaining({ type: { code: '1', label: '居民身份证' } }),
      { type: { code: 'A', label: '护照' }, number: '*****5678', validUntil: '2031-05-01' }, // masked by default
    ]);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ documentType: 'A', documentNumber: 'E12345678' }, 'DUPLICATE', 'documentNumber'],
      [{ documentType: 'Q', documentNumber: 'x' }, 'INVALID_INPUT', 'documentType'],
      [{ documentType: '1', documentNumber: '420111199003150026' }, 'INVALID_INPUT', 'documentNumber'],
      [{ documentType: 'Z', documentNumber: 'x'.repeat(31) }, 'INVALID_INPUT', 'documentNumber'],
    ];
    for (const [input, code, field] of cases) {
      const { data: body } = await h.graphql(admin, add, { input: { teacherId: me.id, ...input } });
      expect(body.addIdentificationDocument.errors).toEqual([expect.objectContaining({ code, field: ['input', field] })]);
    }
  });

  it('deletes a draft with the current version only; an approved archive cannot be deleted', async () => {
    const admin = h.viewer('school_info_admin', '1142000101');
    const created = await h.graphql(admin, register, { input: validRegistration({ idDocumentNumber: '420111199003150041' }) });
    const { id, version } = created.data.registerTeacher.teacher;
    const del = `mutation($input: DeleteTeacherInput!) { deleteTeacher(input: $input) { deletedTeacherId errors { code field } } }`;
    const stale = await h.graphql(admin, del, { input: { id, version: version + 1 } });
    expect(stale.data.deleteTeacher.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    const ok = await h.graphql(admin, del, { input: { id, version } });
    expect(ok.data.deleteTeacher).toEqual({ deletedTeacherId: id, errors: [] });
    const approved = await h.graphql(admin, del, { input: { id: hongshanTeachers[0]!.id, version: 1 } });
    expect(approved.data.deleteTeacher.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
  });

  it('lets the county approve a newly collected archive, which then cannot be deleted', async () => {
    const schoolAdmin = h.viewer('school_info_admin', '1142000101');
    const created = await h.graphql(schoolAdmin, register, { input: validRegistration({ idDocumentNumber: '420111199003150068' }) });
    const { id, version } = created.data.registerTeacher.teacher;
    const approve = `mutation($input: TeacherVersionInput!) { approveTeacherRecord(input: $input) { teacher { recordStatus version fieldProvenance { field verified } changeHistory { action actorRole } } errors { code field } } }`;
    const bySchool = await h.graphql(schoolAdmin, approve, { input: { id, version } });
    expect(bySchool.data.approveTeacherRecord.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION' })]);
    const county = h.viewer('county_info_admin', '420111');
    const stale = await h.graphql(county, approve, { input: { id, version: version + 5 } });
    expect(stale.data.approveTeacherRecord.errors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const ok = (await h.graphql(county, approve, { input: { id, version } })).data.approveTeacherRecord;
    expect(ok.errors).toEqual([]);
    expect(ok.teacher).toMatchObject({ recordStatus: 'APPROVED', version: version + 1 });
    expect(ok.teacher.fieldProvenance.every((p: { verified: boolean }) => p.verified)).toBe(true);
    expect(ok.teacher.changeHistory[0]).toEqual({ action: 'record_approved', actorRole: 'county_info_admin' });
    const del = await h.graphql(schoolAdmin, `mutation { deleteTeacher(input: { id: "${id}", version: ${version + 1} }) { errors { code } } }`);
    expect(del.data.deleteTeacher.errors).toEqual([{ code: 'INVALID_STATE' }]);
  });

  it('resolves Teacher references through the scoped loader: outside the viewer scope they are null', async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Teacher { id name educationHistory { institution } } } }`;
    const inside = hongshanTeachers[3]!.id;
    const outside = data.teachers.find((t) => t.orgPath.includes('/420115/'))!.id;
    const { data: body, errors } = await h.graphql(h.viewer('county_query', '420111'), q, { r: [inside, outside, 'not-a-uuid'].map((id) => ({ __typename: 'Teacher', id })) });
    expect(errors).toBeUndefined();
    expect(body._entities[0]).toMatchObject({ id: inside });
    expect(body._entities.slice(1)).toEqual([null, null]);
  });
});
