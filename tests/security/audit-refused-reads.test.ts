import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * Issue #7 item 4, refused reads: a read of a sensitive field that finds nobody (the teacher is out
 * of the viewer's scope) is audited as refused, naming the teacher asked for, in the same hash
 * chain as every other entry; through the gateway on the platform.
 */
const data = buildDemoDataset();
const COUNTY = '420111';
const NEIGHBOUR = '420115';
const target = data.teachers.find((t) => t.orgPath.includes(`/${COUNTY}/`))!;

const TRAIL = `query($filter: AuditTrailFilter) { auditTrail(filter: $filter) {
  teacherRegistry(first: 50) { verified entries { subject role action teacherIds result detail } } } }`;

describe('refused reads of sensitive fields are audited', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('records out-of-scope pay reads (by id and by number), a pay reveal and personal-details reveal as refused with the teacher asked for, and keeps the chain', async () => {
    const neighbour = await t.token('county_info_admin', NEIGHBOUR, { sub: 'neighbour-admin' });
    const read = await t.graphql(neighbour, `query($id: ID!) { teacher(id: $id) { ... on Teacher { payRecords { totalMonthlyPayBand } } } }`, { id: target.id });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.teacher).toBeNull();
    const revealPay = await t.graphql(neighbour, `mutation($i: RevealPayInput!) { revealPay(input: $i) { errors { code field } } }`, { i: { teacherId: target.id, reason: '核对工资档案' } });
    expect(revealPay.body.data.revealPay.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'teacherId'] }]);
    const reveal = await t.graphql(neighbour, `mutation($i: RevealPersonalDetailsInput!) { revealPersonalDetails(input: $i) { errors { code field } } }`, { i: { teacherId: target.id, reason: '核对身份信息' } });
    expect(reveal.body.data.revealPersonalDetails.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'teacherId'] }]);
    const byNumber = await t.graphql(neighbour, `query($n: String!) { teacherByNumber(nationalTeacherNumber: $n) { payRecords { totalMonthlyPayBand } } }`, { n: target.nationalTeacherNumber });
    expect(byNumber.body.data.teacherByNumber).toBeNull();
    // A read that selects no sensitive field is not a sensitive read: no entry.
    await t.graphql(neighbour, `query($id: ID!) { teacher(id: $id) { name } }`, { id: target.id });

    const auditor = await t.token('auditor', 'CN');
    const trail = (await t.graphql(auditor, TRAIL, { filter: { teacherId: target.id, subject: 'neighbour-admin' } })).body.data.auditTrail.teacherRegistry;
    expect(trail.verified).toBe(true);
    const entries = trail.entries.map((e: { action: string; role: string; teacherIds: string[]; result: string }) => [e.action, e.role, e.teacherIds, e.result]).sort();
    expect(entries).toEqual([
      ['read_pay', 'county_info_admin', [target.id], 'REFUSED'],
      ['read_pay', 'county_info_admin', [target.id], 'REFUSED'],
      ['reveal_pay', 'county_info_admin', [target.id], 'REFUSED'],
      ['reveal_personal_details', 'county_info_admin', [target.id], 'REFUSED'],
    ]);
    const payRead = trail.entries.find((e: { action: string }) => e.action === 'read_pay');
    expect(JSON.parse(payRead.detail)).toMatchObject({ fields: ['payRecords'], code: 'NOT_FOUND' });
  });
});
