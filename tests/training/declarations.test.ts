import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTraining, type TrainingHarness } from './harness';

const data = buildDemoDataset();
const school = '1142000101'; // 洪山区广埠屯小学 (湖北)
const teacher = data.teachers.find((t) => t.schoolId === school)!;
const otherSchoolTeacher = data.teachers.find((t) => t.schoolId === '1142000102')!;

const DECLARE = `mutation($input: DeclareTrainingInput!) { declareTraining(input: $input) {
  declaration { id status version hours credits teacher { id } } errors { code field message } } }`;
const REVIEW = `mutation($input: ReviewCreditDeclarationInput!) { reviewCreditDeclaration(input: $input) {
  declaration { id status version schoolComment } errors { code field } } }`;
const DECIDE = `mutation($input: DecideCreditDeclarationInput!) { decideCreditDeclaration(input: $input) {
  declaration { id status version credits rejectionReason decidedBy { id } } errors { code field } } }`;

const declaration = (overrides: Record<string, unknown> = {}) => ({
  clientRequestId: `req-${Math.random().toString(36).slice(2)}`,
  title: '华中师范大学暑期研修班',
  form: 'CENTRALISED',
  organiser: '华中师范大学',
  hours: 40,
  completedOn: '2025-07-20',
  evidenceRef: 'CERT-2025-001',
  ...overrides,
});

describe('credit declarations: declare → school review → recognition → banked', () => {
  let h: TrainingHarness;
  const asTeacher = () => h.viewer('teacher', school, { teacherId: teacher.id });
  const asSchool = () => h.viewer('school_info_admin', school);
  const asCounty = () => h.viewer('county_info_admin', '420111');
  const count = async (table: string, where: Record<string, unknown> = {}) =>
    Number(((await h.server.db.knex(h.server.db.t(table)).where(where).count('* as n').first()) as { n: number }).n);

  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function declareAndApprove(input = declaration()) {
    const declared = (await h.graphql(asTeacher(), DECLARE, { input })).data.declareTraining;
    expect(declared.errors).toEqual([]);
    const reviewed = (await h.graphql(asSchool(), REVIEW, { input: { declarationId: declared.declaration.id, version: declared.declaration.version, approve: true } })).data
      .reviewCreditDeclaration;
    expect(reviewed.errors).toEqual([]);
    expect(reviewed.declaration.status).toBe('SCHOOL_APPROVED');
    return reviewed.declaration as { id: string; version: number };
  }

  it('banks a recognised declaration under the province rules (湖北: 10 hours of centralised training = 1 credit)', async () => {
    const approved = await declareAndApprove();
    const { data } = await h.graphql(asCounty(), DECIDE, { input: { declarationId: approved.id, version: approved.version, recognise: true } });
    expect(data.decideCreditDeclaration.errors).toEqual([]);
    expect(data.decideCreditDeclaration.declaration).toMatchObject({ status: 'RECOGNISED', credits: 4, decidedBy: { id: '420111' } });
    const record = await h.server.db.knex(h.server.db.t('training_record')).first('id', 'source').where({ source_id: approved.id });
    expect(record.source).toBe('declaration');
    expect(await count('credit_ledger_entry', { training_record_id: record.id })).toBe(1);
  });

  it('replaying a declaration or a recognition adds nothing twice', async () => {
    const input = declaration();
    const first = (await h.graphql(asTeacher(), DECLARE, { input })).data.declareTraining.declaration;
    const again = (await h.graphql(asTeacher(), DECLARE, { input })).data.declareTraining;
    expect(again.errors).toEqual([]);
    expect(again.declaration.id).toBe(first.id);
    expect(await count('credit_declaration', { client_request_id: input.clientRequestId })).toBe(1);

    const approved = await declareAndApprove();
    const decide = { input: { declarationId: approved.id, version: approved.version, recognise: true } };
    await h.graphql(asCounty(), DECIDE, decide);
    const replay = (await h.graphql(asCounty(), DECIDE, decide)).data.decideCreditDeclaration;
    expect(replay.errors).toEqual([]);
    expect(replay.declaration.status).toBe('RECOGNISED');
    expect(await count('training_record', { source_id: approved.id })).toBe(1);
  });

  it('two recognitions of the same declaration at once bank one deposit', async () => {
    const approved = await declareAndApprove();
    const decide = { input: { declarationId: approved.id, version: approved.version, recognise: true } };
    const results = await Promise.all([h.graphql(asCounty(), DECIDE, decide), h.graphql(h.viewer('city_info_admin', '420100'), DECIDE, decide)]);
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      // The second waits for the first one's row lock, then finds it recognised: same answer, nothing added.
      expect(r.data.decideCreditDeclaration.errors).toEqual([]);
      expect(r.data.decideCreditDeclaration.declaration.status).toBe('RECOGNISED');
    }
    const records = await h.server.db.knex(h.server.db.t('training_record')).select('id').where({ source_id: approved.id });
    expect(records).toHaveLength(1);
    expect(await count('credit_ledger_entry', { training_record_id: records[0].id })).toBe(1);
  });

  it('the organiser named on a declaration may recognise it, even for a teacher outside its subtree', async () => {
    const approved = await declareAndApprove(declaration({ organiserOrgId: '110000', title: '北京市骨干教师跟岗', form: 'PRACTICE', hours: 30 }));
    const decide = { input: { declarationId: approved.id, version: approved.version, recognise: true } };
    const notOrganiser = (await h.graphql(h.viewer('province_info_admin', '620000'), DECIDE, decide)).data.decideCreditDeclaration;
    expect(notOrganiser.errors[0].code).toBe('NOT_FOUND');
    const organiser = (await h.graphql(h.viewer('province_info_admin', '110000'), DECIDE, decide)).data.decideCreditDeclaration;
    expect(organiser.errors).toEqual([]);
    // Banked under the rules of the teacher's province (湖北: practice 10 hours = 1 credit).
    expect(organiser.declaration).toMatchObject({ status: 'RECOGNISED', credits: 3, decidedBy: { id: '110000' } });
    const unknown = (await h.graphql(asTeacher(), DECLARE, { input: declaration({ organiserOrgId: '999999' }) })).data.declareTraining;
    expect(unknown.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'organiserOrgId'] });
  });

  it('rejection needs a reason and banks nothing', async () => {
    const approved = await declareAndApprove();
    const noReason = (await h.graphql(asCounty(), DECIDE, { input: { declarationId: approved.id, version: approved.version, recognise: false } })).data.decideCreditDeclaration;
    expect(noReason.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'reason'] });
    const rejected = (
      await h.graphql(asCounty(), DECIDE, { input: { declarationId: approved.id, version: approved.version, recognise: false, reason: '未经县级以上教研部门确认' } })
    ).data.decideCreditDeclaration;
    expect(rejected.declaration).toMatchObject({ status: 'REJECTED', rejectionReason: '未经县级以上教研部门确认', credits: null });
    expect(await count('training_record', { source_id: approved.id })).toBe(0);
  });

  it('keeps the order of the workflow and the roles of each step', async () => {
    const declared = (await h.graphql(asTeacher(), DECLARE, { input: declaration() })).data.declareTraining.declaration;
    // Not yet reviewed by the school: the authority cannot decide.
    const early = (await h.graphql(asCounty(), DECIDE, { input: { declarationId: declared.id, version: declared.version, recognise: true } })).data.decideCreditDeclaration;
    expect(early.errors[0].code).toBe('INVALID_STATE');
    // A school cannot recognise; a teacher cannot review.
    const bySchool = (await h.graphql(asSchool(), DECIDE, { input: { declarationId: declared.id, version: 1, recognise: true } })).data.decideCreditDeclaration;
    expect(bySchool.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'declarationId'] });
    expect((await h.graphql(h.viewer('county_query', '420111'), DECIDE, { input: { declarationId: declared.id, version: 1, recognise: true } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await h.graphql(asTeacher(), REVIEW, { input: { declarationId: declared.id, version: 1, approve: true } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Another school cannot see it; a stale version is a conflict.
    const other = (await h.graphql(h.viewer('school_info_admin', '1142000102'), REVIEW, { input: { declarationId: declared.id, version: 1, approve: true } })).data
      .reviewCreditDeclaration;
    expect(other.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'declarationId'] });
    const stale = (await h.graphql(asSchool(), REVIEW, { input: { declarationId: declared.id, version: 7, approve: true } })).data.reviewCreditDeclaration;
    expect(stale.errors[0].code).toBe('CONFLICT');
    const returned = (await h.graphql(asSchool(), REVIEW, { input: { declarationId: declared.id, version: 1, approve: false, comment: '证书不清晰' } })).data.reviewCreditDeclaration;
    expect(returned.declaration).toMatchObject({ status: 'RETURNED', schoolComment: '证书不清晰' });
  });

  it('answers bad input with a clear error naming the field, and stores nothing', async () => {
    const before = await count('credit_declaration');
    const cases: [Record<string, unknown>, string[], string][] = [
      [{ hours: -5 }, ['input', 'hours'], 'INVALID_INPUT'],
      [{ hours: 100000 }, ['input', 'hours'], 'INVALID_INPUT'],
      [{ hours: 0.3 }, ['input', 'hours'], 'INVALID_INPUT'],
      [{ title: '  ' }, ['input', 'title'], 'INVALID_INPUT'],
      [{ evidenceRef: '' }, ['input', 'evidenceRef'], 'INVALID_INPUT'],
      [{ completedOn: '2999-01-01' }, ['input', 'completedOn'], 'INVALID_INPUT'],
    ];
    for (const [override, field, code] of cases) {
      const { data } = await h.graphql(asTeacher(), DECLARE, { input: declaration(override) });
      expect(data.declareTraining.declaration).toBeNull();
      expect(data.declareTraining.errors).toContainEqual(expect.objectContaining({ code, field }));
    }
    // A teacher cannot declare for someone else; a school cannot declare for another school's teacher.
    const forOther = (await h.graphql(asTeacher(), DECLARE, { input: declaration({ teacherId: otherSchoolTeacher.id }) })).data.declareTraining;
    expect(forOther.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'teacherId'] });
    const otherSchool = (await h.graphql(asSchool(), DECLARE, { input: declaration({ teacherId: otherSchoolTeacher.id }) })).data.declareTraining;
    expect(otherSchool.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'teacherId'] });
    const badDate = await h.graphql(asTeacher(), DECLARE, { input: declaration({ completedOn: '2025-02-30' }) });
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count('credit_declaration')).toBe(before);
  });

  it('lists declarations of the viewer scope only, with a scoped total', async () => {
    const q = `query($s: DeclarationStatus) { creditDeclarations(status: $s, first: 100) { totalCount nodes { id teacher { id } status } } }`;
    const county = (await h.graphql(asCounty(), q, {})).data.creditDeclarations;
    const hongshan = new Set(data.teachers.filter((t) => t.orgPath.includes('/420111/')).map((t) => t.id));
    expect(county.totalCount).toBeGreaterThan(0);
    for (const node of county.nodes) expect(hongshan.has(node.teacher.id)).toBe(true);
    const mine = (await h.graphql(asTeacher(), q, {})).data.creditDeclarations;
    for (const node of mine.nodes) expect(node.teacher.id).toBe(teacher.id);
    // Pages of 3 walk every declaration exactly once.
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await h.graphql(asCounty(), `query($a: String) { creditDeclarations(first: 3, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { a: after })).data
        .creditDeclarations;
      paged.push(...page.nodes.map((n: { id: string }) => n.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toHaveLength(county.totalCount);
    expect(new Set(paged).size).toBe(county.totalCount);
    const badCursor = await h.graphql(asCounty(), `{ creditDeclarations(after: "bm9wZQ") { totalCount } }`);
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const forged = Buffer.from('k:2026-01-01 00:00:00+00|not-a-uuid').toString('base64url');
    expect((await h.graphql(asCounty(), `query($a: String) { creditDeclarations(after: $a) { totalCount } }`, { a: forged })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const pending = (await h.graphql(asCounty(), q, { s: 'SCHOOL_APPROVED' })).data.creditDeclarations;
    for (const node of pending.nodes) expect(node.status).toBe('SCHOOL_APPROVED');
  });
});
