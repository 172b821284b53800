import { randomUUID } from 'node:crypto';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * Issue #6: a service gap covered by an approved leave does not count against registration. The
 * leave is recorded in staffing-quota (which keeps employment) and reaches evaluation's
 * registrationEligibility through @requires; through the real gateway, on real PostgreSQL.
 */
const data = buildDemoDataset();
const withEthics = new Set(buildDemoEthics(data).map((e) => e.teacher_id));
const COUNTY = '420111';
const [teacher, other] = data.teachers.filter((t) => t.orgPath.includes(`/${COUNTY}/`) && !withEthics.has(t.id) && t.startedWorkOn < '2023-01-01');

const ELIGIBILITY = `#graphql
  query ($id: ID!) { teacher(id: $id) {
    approvedLeaves { reason startsOn endsOn documentRef unit { id } }
    registrationEligibility { status reasons }
  } }`;
const RECORD = `#graphql
  mutation ($input: RecordApprovedLeaveInput!) { recordApprovedLeave(input: $input) {
    leave { id reason startsOn endsOn documentRef version } errors { code field message } } }`;

describe('approved leave and registration service gaps', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** The teacher left post on 2024-02-29 and came back on 2024-08-01: 153 days away, a semester or more. */
  async function makeGap(teacherId: string) {
    const staffing = t.platform.subgraphs.find((s) => s.name === 'staffing-quota')!;
    const table = staffing.db.t('employment');
    const [current] = await staffing.db.knex(table).where({ teacher_id: teacherId }).whereNull('ends_on');
    await staffing.db.knex(table).where('id', current.id).update({ ends_on: '2024-02-29' });
    await staffing.db.knex(table).insert({ id: randomUUID(), teacher_id: teacherId, org_id: current.org_id, on_quota: current.on_quota, starts_on: '2024-08-01' });
    return current.org_id as string;
  }
  const eligibility = async (token: string, id: string) => {
    const { body } = await t.graphql(token, ELIGIBILITY, { id });
    expect(body.errors).toBeUndefined();
    return body.data.teacher as { approvedLeaves: { reason: string; startsOn: string; endsOn: string; documentRef: string; unit: { id: string } }[]; registrationEligibility: { status: string; reasons: string[] } };
  };
  // ends_on 2024-02-29 is the last day in post; the gap runs 2024-03-01 … 2024-07-31 (153 days).
  const gapReason = 'You were not in post from 2024-03-01 to 2024-07-31 (153 days), a semester or more, and no approved leave covers it.';

  it('the same gap defers without an approved leave and no longer counts with maternity leave covering it', async () => {
    const county = await t.token('county_info_admin', COUNTY);
    const schoolId = await makeGap(teacher!.id);
    const before = await eligibility(county, teacher!.id);
    expect(before.registrationEligibility.reasons).toContain(gapReason);
    expect(before.registrationEligibility.status).not.toBe('PASS');

    const school = await t.token('school_info_admin', schoolId);
    const { body } = await t.graphql(school, RECORD, { input: { teacherId: teacher!.id, reason: 'MATERNITY', startsOn: '2024-03-01', endsOn: '2024-07-31', documentRef: '洪教人〔2024〕8号' } });
    expect(body.data.recordApprovedLeave).toMatchObject({ leave: { reason: 'MATERNITY', startsOn: '2024-03-01', endsOn: '2024-07-31', version: 1 }, errors: [] });

    const after = await eligibility(county, teacher!.id);
    expect(after.approvedLeaves).toEqual([{ reason: 'MATERNITY', startsOn: '2024-03-01', endsOn: '2024-07-31', documentRef: '洪教人〔2024〕8号', unit: { id: schoolId } }]);
    expect(after.registrationEligibility.reasons.filter((r) => r.includes('not in post'))).toEqual([]);
    // Every other reason is unchanged: the leave removed exactly the gap.
    expect(after.registrationEligibility.reasons).toEqual(before.registrationEligibility.reasons.filter((r) => !r.includes('not in post')));

    // Overlapping approvals are refused, nothing stored.
    const again = await t.graphql(school, RECORD, { input: { teacherId: teacher!.id, reason: 'STUDY', startsOn: '2024-02-01', endsOn: '2024-03-15', documentRef: '洪教人〔2024〕9号' } });
    expect(again.body.data.recordApprovedLeave).toEqual({ leave: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'startsOn'], message: 'The teacher already has maternity leave approved from 2024-03-01 to 2024-07-31.' }] });
  });

  it('bad input names each field and stores nothing; other areas and non-administrators are refused', async () => {
    const county = await t.token('county_info_admin', COUNTY);
    const bad = await t.graphql(county, RECORD, { input: { teacherId: 'not-an-id', reason: 'STUDY', startsOn: '2024-09-01', endsOn: '2024-08-01', documentRef: ' ' } });
    expect(bad.body.data.recordApprovedLeave.leave).toBeNull();
    expect(bad.body.data.recordApprovedLeave.errors.map((e: { code: string; field: string[] }) => [e.code, e.field[1]])).toEqual([
      ['INVALID_INPUT', 'teacherId'],
      ['INVALID_INPUT', 'endsOn'],
      ['INVALID_INPUT', 'documentRef'],
    ]);
    const tooLong = await t.graphql(county, RECORD, { input: { teacherId: other!.id, reason: 'STUDY', startsOn: '2020-01-01', endsOn: '2026-01-01', documentRef: 'x' } });
    expect(tooLong.body.data.recordApprovedLeave.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'endsOn'] })]);
    const elsewhere = await t.graphql(await t.token('county_info_admin', '110105'), RECORD, { input: { teacherId: other!.id, reason: 'STUDY', startsOn: '2024-09-01', endsOn: '2024-12-31', documentRef: 'x' } });
    expect(elsewhere.body.data.recordApprovedLeave.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'teacherId'] })]);
    const query = await t.graphql(await t.token('county_query', COUNTY), RECORD, { input: { teacherId: other!.id, reason: 'STUDY', startsOn: '2024-09-01', endsOn: '2024-12-31', documentRef: 'x' } });
    expect(query.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await eligibility(county, other!.id)).approvedLeaves).toEqual([]);
  });
});
