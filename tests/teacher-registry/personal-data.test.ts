import { purgeAudit, verifyAuditChain } from '../../subgraphs/shared/src/audit';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { parseResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { startRegistry, type RegistryHarness } from './harness';

const data = buildDemoDataset();
const teacher = data.teachers.find((t) => t.orgPath.includes('/420111/'))!;
const neighbour = data.teachers.find((t) => t.orgPath.includes('/420115/'))!;

const READ = `query($id: ID!) { teacher(id: $id) { idDocument { number } identificationDocuments { number } contacts { mobile email address } } }`;
const REVEAL = `mutation($input: RevealPersonalDetailsInput!) { revealPersonalDetails(input: $input) {
  identificationDocuments { number } contacts { mobile } errors { code field } } }`;

describe('personal data: masked by default, revealed only on an audited request', () => {
  let h: RegistryHarness;
  const audit = () => h.server.db.knex(h.server.db.t('audit_log')).select('*').orderBy('id');
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows ID numbers and contacts masked, even to the administrator of the area', async () => {
    const { data: body } = await h.graphql(h.viewer('county_info_admin', '420111'), READ, { id: teacher.id });
    expect(body.teacher.idDocument.number).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    for (const contact of body.teacher.contacts) {
      if (contact.mobile) expect(contact.mobile).toMatch(/^1\d{2}\*{4}\d{4}$/);
      if (contact.email) expect(contact.email).toMatch(/^.\*\*\*@/);
      if (contact.address) expect(contact.address).toMatch(/\*\*\*$/);
    }
  });

  it('reveals the full number for a stated reason and writes an audit row without the values', async () => {
    const admin = h.viewer('county_info_admin', '420111');
    const before = (await audit()).length;
    const { data: body } = await h.graphql(admin, REVEAL, { input: { teacherId: teacher.id, reason: '职称评审材料核对 (case 2026-118)' } });
    const payload = body.revealPersonalDetails;
    expect(payload.errors).toEqual([]);
    const number: string = payload.identificationDocuments[0].number;
    expect(parseResidentId(number)).toMatchObject({ ok: true });
    expect(number).not.toContain('*');
    const rows = await audit();
    expect(rows).toHaveLength(before + 1);
    expect(rows[rows.length - 1]).toMatchObject({ action: 'reveal_personal_details', subject: admin.subject, role: 'county_info_admin', org_id: '420111', teacher_ids: [teacher.id], result: 'ok' });
    expect(JSON.stringify(rows)).not.toContain(number);
  });

  it('refuses outside the area, without a reason, and for query accounts, auditing the refusals', async () => {
    const admin = h.viewer('county_info_admin', '420111');
    const before = (await audit()).length;
    const outside = await h.graphql(admin, REVEAL, { input: { teacherId: neighbour.id, reason: 'curiosity about the neighbours' } });
    expect(outside.data.revealPersonalDetails).toEqual({ identificationDocuments: [], contacts: [], errors: [{ code: 'NOT_FOUND', field: ['input', 'teacherId'] }] });
    const noReason = await h.graphql(admin, REVEAL, { input: { teacherId: teacher.id, reason: ' ok ' } });
    expect(noReason.data.revealPersonalDetails.errors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'reason'] }]);
    const rows = (await audit()).slice(before);
    expect(rows.map((r: { result: string }) => r.result)).toEqual(['refused', 'refused']);
    const query = await h.graphql(h.viewer('county_query', '420111'), REVEAL, { input: { teacherId: teacher.id, reason: 'reading is not revealing' } });
    expect(query.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("lets a teacher see their own details in full, and nobody else's", async () => {
    const me = h.viewer('teacher', teacher.schoolId, { teacherId: teacher.id });
    const own = await h.graphql(me, REVEAL, { input: { teacherId: teacher.id, reason: 'checking my own record' } });
    expect(own.data.revealPersonalDetails.errors).toEqual([]);
    const colleague = data.teachers.find((t) => t.schoolId === teacher.schoolId && t.id !== teacher.id)!;
    const other = await h.graphql(me, REVEAL, { input: { teacherId: colleague.id, reason: 'checking a colleague' } });
    expect(other.data.revealPersonalDetails.errors[0].code).toBe('NOT_FOUND');
  });

  it('keeps the trail append-only and tamper-evident', async () => {
    const { db } = h.server;
    expect(await verifyAuditChain(db)).toBeNull();
    await expect(db.knex(db.t('audit_log')).update({ result: 'ok' })).rejects.toThrow(/append-only/);
    await expect(db.knex(db.t('audit_log')).delete()).rejects.toThrow(/append-only/);
    await expect(purgeAudit(db, 30)).rejects.toThrow(/six months/);
    expect(await purgeAudit(db, 183)).toBe(0); // nothing is that old yet
    // Someone with database rights edits a row behind the trigger's back: the chain shows where.
    const rows = await db.knex(db.t('audit_log')).select('id').orderBy('id');
    const target = rows[1]!.id;
    await db.knex.raw('alter table ?? disable trigger audit_log_append_only', [db.t('audit_log')]);
    await db.knex(db.t('audit_log')).where('id', target).update({ result: 'ok' });
    await db.knex.raw('alter table ?? enable trigger audit_log_append_only', [db.t('audit_log')]);
    expect(await verifyAuditChain(db)).toBe(Number(target));
  });
});

describe('statistics for viewers who may not see persons', () => {
  let h: RegistryHarness;
  const STATS = `query($id: ID!) { orgUnit(id: $id) { statistics { activeTeachers byEducationLevel { code count } byAgeBand { code count } byGender { code count } } } }`;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('suppresses cells of 1 to 4 people for analysts and system administrators, not for record readers', async () => {
    const school = '1162000104'; // 8 teachers: small cells are certain
    for (const viewer of [h.viewer('analyst', '620000'), h.viewer('county_system_admin', '621121')]) {
      const { data: body } = await h.graphql(viewer, STATS, { id: school });
      const stats = body.orgUnit.statistics;
      for (const dimension of [stats.byEducationLevel, stats.byAgeBand, stats.byGender]) {
        expect(dimension.every((cell: { count: number }) => cell.count === 0 || cell.count >= 5)).toBe(true);
        expect(dimension.reduce((sum: number, cell: { count: number }) => sum + cell.count, 0)).toBe(stats.activeTeachers);
      }
    }
    const { data: exact } = await h.graphql(h.viewer('county_query', '621121'), STATS, { id: school });
    const cells = [...exact.orgUnit.statistics.byEducationLevel, ...exact.orgUnit.statistics.byAgeBand];
    expect(cells.some((cell: { count: number }) => cell.count > 0 && cell.count < 5)).toBe(true);
  });
});
