import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startStaffing, TEACHER_ENTITIES, teacherReps, type StaffingService } from './staffing-service';

const data = buildDemoDataset();
const COUNTY = '420115';
const SCHOOL = '1142000201';
const offQuota = data.employments.filter((e) => e.orgId === SCHOOL && !e.onQuota).map((e) => e.teacherId);
const onQuota = data.employments.filter((e) => e.orgId === SCHOOL && e.onQuota).map((e) => e.teacherId);
const [first, second] = offQuota;
const elsewhere = data.teachers.find((t) => t.schoolId === '1142000202')!.id;
const outside = data.teachers.find((t) => t.schoolId === '1142000101')!.id;

const SLOT = `#graphql
  query ($unit: ID!, $grade: Int!, $on: Date, $category: PostCategory) {
    postSlotAvailability(orgUnitId: $unit, grade: $grade, on: $on, category: $category) { unit { id } category grade on ceiling occupied free hasFreeSlot }
  }`;
const PLAN = `#graphql
  mutation ($input: SetPostPlanEntryInput!) { setPostPlanEntry(input: $input) { entry { year category grade ceiling version } errors { code message field } } }`;
const APPOINT = `#graphql
  mutation ($input: AppointToPostInput!) {
    appointToPost(input: $input) { appointment { id category grade startsOn endsOn unit { id } version } errors { code message field } }
  }`;

describe('post plans, appointments and free post slots', () => {
  let s: StaffingService;
  const countyAdmin = () => s.viewer('county_info_admin', COUNTY);
  const schoolAdmin = () => s.viewer('school_info_admin', SCHOOL);
  const appointments = () => s.server.db.knex(s.server.db.t('post_appointment')).count('* as n').first().then((r) => Number(r?.n));
  const appoint = (input: Record<string, unknown>) =>
    s.call(schoolAdmin(), APPOINT, { input: { orgUnitId: SCHOOL, category: 'PROFESSIONAL_TECHNICAL', grade: 12, startsOn: '2026-10-01', ...input } });

  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('answers whether a grade has a free slot, from the post plan and the appointments in force', async () => {
    const before = (await s.call(countyAdmin(), SLOT, { unit: SCHOOL, grade: 12, on: '2026-10-01' })).data.postSlotAvailability;
    const plan = await s.call(countyAdmin(), PLAN, { input: { orgUnitId: SCHOOL, year: 2026, category: 'PROFESSIONAL_TECHNICAL', grade: 12, ceiling: before.occupied + 1 } });
    expect(plan.data.setPostPlanEntry).toMatchObject({ errors: [], entry: { ceiling: before.occupied + 1, version: 2 } });
    const after = (await s.call(countyAdmin(), SLOT, { unit: SCHOOL, grade: 12, on: '2026-10-01' })).data.postSlotAvailability;
    expect(after).toMatchObject({ unit: { id: SCHOOL }, category: 'PROFESSIONAL_TECHNICAL', grade: 12, ceiling: before.occupied + 1, occupied: before.occupied, free: 1, hasFreeSlot: true });
    // A unit without a plan for that category has no slot.
    const management = (await s.call(countyAdmin(), SLOT, { unit: SCHOOL, grade: 3, category: 'MANAGEMENT', on: '2026-10-01' })).data.postSlotAvailability;
    expect(management).toMatchObject({ ceiling: 0, hasFreeSlot: false });
  });

  it('appoints into the free slot, then refuses the next one because the slot is taken', async () => {
    const ok = await appoint({ teacherId: first });
    expect(ok.data.appointToPost).toMatchObject({ errors: [], appointment: { category: 'PROFESSIONAL_TECHNICAL', grade: 12, startsOn: '2026-10-01', endsOn: null, unit: { id: SCHOOL }, version: 1 } });
    const count = await appointments();
    const full = await appoint({ teacherId: second });
    expect(full.data.appointToPost).toMatchObject({ appointment: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'grade'] }] });
    expect(full.data.appointToPost.errors[0].message).toMatch(/No free professional_technical grade 12 post/);
    expect(await appointments()).toBe(count);
    const slot = (await s.call(countyAdmin(), SLOT, { unit: SCHOOL, grade: 12, on: '2026-10-01' })).data.postSlotAvailability;
    expect(slot).toMatchObject({ free: 0, hasFreeSlot: false });
  });

  it('refuses overlapping appointments and bad input, naming the field, storing nothing', async () => {
    const count = await appointments();
    const cases: [Record<string, unknown>, { code: string; field: string[] }][] = [
      [{ teacherId: first, grade: 11, startsOn: '2027-01-01' }, { code: 'RULE_VIOLATION', field: ['input', 'startsOn'] }],
      // The demo gives every on-quota teacher an open-ended appointment.
      [{ teacherId: onQuota[0], grade: 12, startsOn: '2026-10-01' }, { code: 'RULE_VIOLATION', field: ['input', 'startsOn'] }],
      [{ teacherId: second, grade: 14 }, { code: 'INVALID_INPUT', field: ['input', 'grade'] }],
      [{ teacherId: second, grade: 11, category: 'MANAGEMENT' }, { code: 'INVALID_INPUT', field: ['input', 'grade'] }],
      [{ teacherId: second, endsOn: '2026-09-01' }, { code: 'INVALID_INPUT', field: ['input', 'endsOn'] }],
      [{ teacherId: 'not-a-uuid' }, { code: 'INVALID_INPUT', field: ['input', 'teacherId'] }],
      [{ teacherId: elsewhere }, { code: 'NOT_FOUND', field: ['input', 'teacherId'] }],
      [{ teacherId: second, orgUnitId: '1142009999' }, { code: 'NOT_FOUND', field: ['input', 'orgUnitId'] }],
    ];
    for (const [input, expected] of cases) {
      const body = await appoint(input);
      expect(body.data.appointToPost.appointment).toBeNull();
      expect(body.data.appointToPost.errors).toContainEqual(expect.objectContaining(expected));
    }
    // The county sees both schools: appointing at a school that does not employ the teacher is refused.
    const wrongUnit = await s.call(countyAdmin(), APPOINT, {
      input: { teacherId: elsewhere, orgUnitId: SCHOOL, category: 'PROFESSIONAL_TECHNICAL', grade: 12, startsOn: '2026-10-01' },
    });
    expect(wrongUnit.data.appointToPost.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', field: ['input', 'orgUnitId'] })]);
    const overlap = await appoint({ teacherId: first, grade: 11, startsOn: '2027-01-01' });
    expect(overlap.data.appointToPost.errors[0].message).toMatch(/overlaps/);
    expect(await appointments()).toBe(count);
  });

  it('keeps post plans for units above to set, with valid grades and ceilings', async () => {
    const own = await s.call(schoolAdmin(), PLAN, { input: { orgUnitId: SCHOOL, year: 2026, category: 'PROFESSIONAL_TECHNICAL', grade: 12, ceiling: 99 } });
    expect(own.data.setPostPlanEntry.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'orgUnitId'] })]);
    const negative = await s.call(countyAdmin(), PLAN, { input: { orgUnitId: SCHOOL, year: 2026, category: 'SKILLED_SUPPORT', grade: 6, ceiling: -1 } });
    expect(negative.data.setPostPlanEntry.errors.map((e: { field: string[] }) => e.field)).toEqual([['input', 'grade'], ['input', 'ceiling']]);
    const plan = await s.call(countyAdmin(), `#graphql
      query { _entities(representations: [{ __typename: "OrgUnit", id: "${SCHOOL}" }]) { ... on OrgUnit { postPlan(year: 2026) { grade ceiling unit { id } } } } }`);
    expect(plan.data._entities[0].postPlan.find((p: { grade: number }) => p.grade === 12).ceiling).toBeLessThan(99);
  });

  it('shows appointments on the teacher and lets title review (dossier:read) ask for slots in its subtree only', async () => {
    const archive = await s.call(countyAdmin(), TEACHER_ENTITIES('postAppointments { grade startsOn unit { id } }'), teacherReps([first!]));
    expect(archive.data._entities[0].postAppointments).toEqual([{ grade: 12, startsOn: '2026-10-01', unit: { id: SCHOOL } }]);
    const partner = s.viewer('partner', '420000', { clientId: 'title-review', scopes: ['dossier:read'] });
    const inside = await s.call(partner, SLOT, { unit: SCHOOL, grade: 12 });
    expect(inside.data.postSlotAvailability.unit.id).toBe(SCHOOL);
    const out = await s.call(partner, SLOT, { unit: '1111000102', grade: 12 });
    expect(out.data.postSlotAvailability).toBeNull();
    const analyst = await s.call(s.viewer('analyst', '420000'), SLOT, { unit: SCHOOL, grade: 12 });
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const badGrade = await s.call(partner, SLOT, { unit: SCHOOL, grade: 0 });
    expect(badGrade.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grade' });
  });
});
