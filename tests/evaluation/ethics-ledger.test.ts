import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { countQueries } from '../helpers/query-counter';
import { startEvaluation, TEACHER_ENTITIES, teacherReps, type EvaluationService } from './evaluation-service';

const data = buildDemoDataset();
const demoEthics = buildDemoEthics(data);
const withEthics = new Set(demoEthics.map((e) => e.teacher_id));
const COUNTY = '420111';
const countyTeachers = data.teachers.filter((t) => t.orgPath.includes(`/${COUNTY}/`));
const [subject, other] = countyTeachers.filter((t) => !withEthics.has(t.id));
const outsider = data.teachers.find((t) => t.orgPath.includes('/420115/'))!;

const RECORD = `#graphql
  mutation ($input: RecordEthicsEntryInput!) {
    recordEthicsEntry(input: $input) {
      entry { id kind sanction summary decidedOn periodEndsOn banEndsOn authority documentRef version }
      errors { code message field }
    }
  }`;
const CORRECT = `#graphql
  mutation ($input: CorrectEthicsEntryInput!) {
    correctEthicsEntry(input: $input) { entry { id sanction decidedOn periodEndsOn banEndsOn version } errors { code field } }
  }`;
const violation = (teacherId: string, extra: Record<string, unknown> = {}) => ({
  teacherId,
  kind: 'VIOLATION',
  sanction: 'WARNING',
  summary: '违规有偿补课',
  decidedOn: '2025-01-15',
  authority: '洪山区教育局',
  documentRef: '洪教纪〔2025〕3号',
  ...extra,
});

describe('ethics ledger', () => {
  let ev: EvaluationService;
  const table = (name: string) => ev.server.db.knex(ev.server.db.t(name));
  const auditCount = async () => Number((await table('ethics_read_audit').count('* as n').first())?.n);
  const county = () => ev.viewer('county_info_admin', COUNTY);

  beforeAll(async () => {
    ev = await startEvaluation();
  });
  afterAll(async () => {
    await ev?.stop();
  });

  it('seeds deterministic demo entries consistent with the demo assessments', async () => {
    expect(demoEthics.length).toBeGreaterThan(20);
    expect(buildDemoEthics(data)).toEqual(demoEthics);
    expect(Number((await table('ethics_entry').count('* as n').first())?.n)).toBe(demoEthics.length);
  });

  it('records a violation with its period and bans computed, and audits the write', async () => {
    const before = await auditCount();
    const body = await ev.call(county(), RECORD, { input: violation(subject!.id) });
    expect(body.data.recordEthicsEntry).toEqual({
      entry: expect.objectContaining({ kind: 'VIOLATION', sanction: 'WARNING', decidedOn: '2025-01-15', periodEndsOn: '2025-07-14', banEndsOn: '2027-01-14', version: 1 }),
      errors: [],
    });
    expect(await auditCount()).toBe(before + 1);
    const honour = await ev.call(county(), RECORD, { input: { ...violation(subject!.id), kind: 'HONOUR', sanction: null, summary: '区级师德标兵' } });
    expect(honour.data.recordEthicsEntry.entry).toMatchObject({ kind: 'HONOUR', sanction: null, periodEndsOn: null, banEndsOn: null });
  });

  it('answers bad input with one error per field and stores nothing', async () => {
    const stored = Number((await table('ethics_entry').count('* as n').first())?.n);
    const bad = await ev.call(county(), RECORD, {
      input: violation('nope', { sanction: null, summary: '   ', decidedOn: '2099-01-01', authority: '', documentRef: 'x'.repeat(101) }),
    });
    expect(bad.data.recordEthicsEntry.entry).toBeNull();
    expect(bad.data.recordEthicsEntry.errors.map((e: { field: string[] }) => e.field[1])).toEqual(['teacherId', 'sanction', 'summary', 'decidedOn', 'authority', 'documentRef']);
    expect(bad.data.recordEthicsEntry.errors.every((e: { code: string }) => e.code === 'INVALID_INPUT')).toBe(true);
    const honourWithSanction = await ev.call(county(), RECORD, { input: { ...violation(subject!.id), kind: 'HONOUR' } });
    expect(honourWithSanction.data.recordEthicsEntry.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'sanction'] })]);
    const badDate = await ev.call(county(), RECORD, { input: violation(subject!.id, { decidedOn: '2025-02-30' }) });
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const elsewhere = await ev.call(county(), RECORD, { input: violation(outsider.id) });
    expect(elsewhere.data.recordEthicsEntry.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'teacherId'] })]);
    expect(Number((await table('ethics_entry').count('* as n').first())?.n)).toBe(stored);

    for (const viewer of [ev.viewer('school_info_admin', subject!.schoolId), ev.viewer('county_query', COUNTY), ev.viewer('teacher', subject!.schoolId, { teacherId: subject!.id })]) {
      const denied = await ev.call(viewer, RECORD, { input: violation(subject!.id) });
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('corrects an entry with optimistic concurrency and recomputes the dates', async () => {
    const created = (await ev.call(county(), RECORD, { input: violation(other!.id) })).data.recordEthicsEntry.entry;
    const corrected = await ev.call(county(), CORRECT, { input: { id: created.id, version: 1, sanction: 'DEMERIT', decidedOn: '2025-08-31' } });
    expect(corrected.data.correctEthicsEntry).toEqual({
      entry: { id: created.id, sanction: 'DEMERIT', decidedOn: '2025-08-31', periodEndsOn: '2026-08-30', banEndsOn: '2027-08-30', version: 2 },
      errors: [],
    });
    const stale = await ev.call(county(), CORRECT, { input: { id: created.id, version: 1, summary: '改' } });
    expect(stale.data.correctEthicsEntry.errors).toEqual([{ code: 'CONFLICT', field: ['input', 'version'] }]);
    const foreign = await ev.call(ev.viewer('county_info_admin', '420115'), CORRECT, { input: { id: created.id, version: 2, summary: '改' } });
    expect(foreign.data.correctEthicsEntry.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
  });

  it('shows entries to county information administrators and above and to the teacher; partners see only ban flags', async () => {
    const ENTRIES = TEACHER_ENTITIES('ethicsEntries { sanction decidedOn }');
    const BANS = TEACHER_ENTITIES('ethicsBans(on: "2026-06-01") { inForce until permanent awards titleReview payRise talentProgrammes }');
    for (const viewer of [county(), ev.viewer('province_info_admin', '420000'), ev.viewer('teacher', subject!.schoolId, { teacherId: subject!.id })]) {
      const body = await ev.call(viewer, ENTRIES, teacherReps([subject!.id]));
      expect(body.errors).toBeUndefined();
      expect(body.data._entities[0].ethicsEntries).toEqual(expect.arrayContaining([{ sanction: 'WARNING', decidedOn: '2025-01-15' }]));
    }
    for (const viewer of [ev.viewer('school_info_admin', subject!.schoolId), ev.viewer('county_query', COUNTY), ev.viewer('partner', COUNTY, { clientId: 'title-review', scopes: ['dossier:read'] })]) {
      const body = await ev.call(viewer, ENTRIES, teacherReps([subject!.id]));
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const partner = ev.viewer('partner', COUNTY, { clientId: 'title-review', scopes: ['dossier:read'] });
    const bans = await ev.call(partner, BANS, teacherReps([subject!.id]));
    expect(bans.data._entities[0].ethicsBans).toEqual({ inForce: true, until: '2027-01-14', permanent: false, awards: true, titleReview: true, payRise: true, talentProgrammes: true });
    const after = await ev.call(partner, TEACHER_ENTITIES('ethicsBans(on: "2027-01-15") { inForce }'), teacherReps([subject!.id]));
    expect(after.data._entities[0].ethicsBans).toEqual({ inForce: false });
    // A teacher outside the viewer's subtree resolves to null: nothing to read, nothing audited.
    const before = await auditCount();
    expect((await ev.call(county(), ENTRIES, teacherReps([outsider.id]))).data._entities).toEqual([null]);
    expect(await auditCount()).toBe(before);
  });

  it('audits every read (who, role, organisation, teacher, when) in an append-only table, in constant statements per page', async () => {
    const ids = countyTeachers.map((t) => t.id);
    const read = (n: number) => ev.call(county(), TEACHER_ENTITIES('ethicsEntries { id } ethicsBans { inForce }'), teacherReps(ids.slice(0, n)));
    const before = await auditCount();
    const small = await countQueries([ev.server.db.knex], () => read(5));
    const large = await countQueries([ev.server.db.knex], () => read(ids.length));
    expect(large.count).toBe(small.count);
    expect(await auditCount()).toBe(before + 2 * 5 + 2 * ids.length);

    const row = await table('ethics_read_audit').orderBy('id', 'desc').first();
    expect(row).toMatchObject({ viewer_subject: `test-county_info_admin-${COUNTY}`, viewer_role: 'county_info_admin', viewer_org_id: COUNTY, action: expect.stringMatching(/^read_/) });
    expect(row.read_at).toBeInstanceOf(Date);
    await expect(table('ethics_read_audit').update({ viewer_subject: 'someone else' })).rejects.toThrow(/append-only/);
    await expect(table('ethics_read_audit').delete()).rejects.toThrow(/append-only/);
  });

  it('auditors and province information administrators read the audit trail of their subtree only', async () => {
    const LOG = `#graphql
      query ($teacherId: ID, $first: Int) { ethicsAccessLog(teacherId: $teacherId, first: $first) {
        nodes { viewerSubject viewerRole viewerOrgId action teacher { id } readAt } pageInfo { hasNextPage endCursor } } }`;
    const auditor = ev.viewer('auditor', '420000');
    const body = await ev.call(auditor, LOG, { teacherId: subject!.id, first: 100 });
    expect(body.errors).toBeUndefined();
    const actions = body.data.ethicsAccessLog.nodes.map((n: { action: string }) => n.action);
    expect(actions).toEqual(expect.arrayContaining(['write', 'read_entries', 'read_bans']));
    expect(body.data.ethicsAccessLog.nodes.every((n: { teacher: { id: string } }) => n.teacher.id === subject!.id)).toBe(true);
    const page = await ev.call(auditor, LOG, { first: 2 });
    expect(page.data.ethicsAccessLog).toMatchObject({ pageInfo: { hasNextPage: true } });
    expect((await ev.call(ev.viewer('province_info_admin', '110000'), LOG, { teacherId: subject!.id })).data.ethicsAccessLog.nodes).toEqual([]);
    expect((await ev.call(county(), LOG, {})).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ev.call(auditor, LOG, { teacherId: 'x' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'teacherId' });
  });
});
