import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { countQueries } from '../helpers/query-counter';
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

  it('refuses the second of two writers who read the same post plan version, and keeps the first ceiling', async () => {
    const key = { orgUnitId: SCHOOL, year: 2040, category: 'MANAGEMENT', grade: 9 };
    const stored = () => s.server.db.knex(s.server.db.t('post_plan')).where({ org_id: SCHOOL, year: 2040, category: 'management', grade: 9 }).first();
    const created = await s.call(countyAdmin(), PLAN, { input: { ...key, ceiling: 2 } });
    expect(created.data.setPostPlanEntry).toMatchObject({ errors: [], entry: { ceiling: 2, version: 1 } });
    // Both administrators read version 1.
    const read = created.data.setPostPlanEntry.entry.version;
    const firstWriter = await s.call(countyAdmin(), PLAN, { input: { ...key, ceiling: 3, version: read } });
    expect(firstWriter.data.setPostPlanEntry).toMatchObject({ errors: [], entry: { ceiling: 3, version: read + 1 } });
    const secondWriter = await s.call(countyAdmin(), PLAN, { input: { ...key, ceiling: 5, version: read } });
    expect(secondWriter.data.setPostPlanEntry.entry).toBeNull();
    expect(secondWriter.data.setPostPlanEntry.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);
    expect(await stored()).toMatchObject({ ceiling: 3, version: read + 1 });
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

  it('ends an appointment so a teacher can be appointed to a higher grade', async () => {
    const END = `#graphql
      mutation ($input: EndPostAppointmentInput!) { endPostAppointment(input: $input) { appointment { id endsOn version } errors { code field } } }`;
    const [current] = await s.server.db.knex(s.server.db.t('post_appointment')).where({ teacher_id: first, grade: 12 });
    const early = await s.call(schoolAdmin(), END, { input: { appointmentId: current.id, endsOn: '2026-09-30', version: 1 } });
    expect(early.data.endPostAppointment.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'endsOn'] })]);
    const stale = await s.call(schoolAdmin(), END, { input: { appointmentId: current.id, endsOn: '2027-08-31', version: 7 } });
    expect(stale.data.endPostAppointment.errors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const neighbour = await s.call(s.viewer('county_info_admin', '420111'), END, { input: { appointmentId: current.id, endsOn: '2027-08-31', version: 1 } });
    expect(neighbour.data.endPostAppointment.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'appointmentId'] })]);
    const ended = await s.call(schoolAdmin(), END, { input: { appointmentId: current.id, endsOn: '2027-08-31', version: 1 } });
    expect(ended.data.endPostAppointment).toMatchObject({ errors: [], appointment: { endsOn: '2027-08-31', version: 2 } });

    await s.call(countyAdmin(), PLAN, { input: { orgUnitId: SCHOOL, year: 2027, category: 'PROFESSIONAL_TECHNICAL', grade: 11, ceiling: 40 } });
    const promoted = await appoint({ teacherId: first, grade: 11, startsOn: '2027-09-01' });
    expect(promoted.data.appointToPost).toMatchObject({ errors: [], appointment: { grade: 11, startsOn: '2027-09-01' } });
  });

  it('changes employment terms from a date, taking a teacher on quota only while the approved quota allows', async () => {
    const CHANGE = `#graphql
      mutation ($input: ChangeEmploymentTermsInput!) {
        changeEmploymentTerms(input: $input) { employment { id onQuota contractKind startsOn endsOn version } errors { code message field } }
      }`;
    const SET_QUOTA = `#graphql
      mutation ($input: SetApprovedQuotaInput!) { setApprovedQuota(input: $input) { errors { code } } }`;
    const employmentOf = (teacherId: string) => s.server.db.knex(s.server.db.t('employment')).where('teacher_id', teacherId).orderBy('starts_on');
    const onQuotaNow = onQuota.length;
    await s.call(countyAdmin(), SET_QUOTA, { input: { orgUnitId: SCHOOL, year: 2026, approved: onQuotaNow + 1 } });

    const [current] = await employmentOf(second!);
    const changed = await s.call(schoolAdmin(), CHANGE, { input: { employmentId: current.id, onQuota: true, contractKind: 'EMPLOYMENT_CONTRACT', effectiveOn: '2026-12-01', version: 1 } });
    expect(changed.data.changeEmploymentTerms).toMatchObject({ errors: [], employment: { onQuota: true, startsOn: '2026-12-01', endsOn: null, version: 1 } });
    expect((await employmentOf(second!)).map((e: any) => [e.on_quota, e.ends_on])).toEqual([[false, '2026-11-30'], [true, null]]);

    // The quota is now full: the next teacher stays off quota, and nothing changes.
    const third = offQuota[2]!;
    const [thirdEmployment] = await employmentOf(third);
    const refused = await s.call(schoolAdmin(), CHANGE, { input: { employmentId: thirdEmployment.id, onQuota: true, contractKind: 'EMPLOYMENT_CONTRACT', effectiveOn: '2026-12-01', version: 1 } });
    expect(refused.data.changeEmploymentTerms).toMatchObject({ employment: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'onQuota'] }] });
    expect(await employmentOf(third)).toHaveLength(1);
    const before = await s.call(schoolAdmin(), CHANGE, { input: { employmentId: thirdEmployment.id, onQuota: false, contractKind: 'AGENCY', effectiveOn: '1990-01-01', version: 1 } });
    expect(before.data.changeEmploymentTerms.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'effectiveOn'] })]);
    const agency = await s.call(schoolAdmin(), CHANGE, { input: { employmentId: thirdEmployment.id, onQuota: false, contractKind: 'AGENCY', effectiveOn: '2026-12-01', version: 1 } });
    expect(agency.data.changeEmploymentTerms.employment).toMatchObject({ onQuota: false, contractKind: 'AGENCY' });
  });

  it('shows appointments on the teacher and lets title review (dossier:read) ask for slots in its subtree only', async () => {
    const archive = await s.call(countyAdmin(), TEACHER_ENTITIES('postAppointments { grade startsOn unit { id } }'), teacherReps([first!]));
    expect(archive.data._entities[0].postAppointments).toEqual([
      { grade: 11, startsOn: '2027-09-01', unit: { id: SCHOOL } },
      { grade: 12, startsOn: '2026-10-01', unit: { id: SCHOOL } },
    ]);
    const partner = s.viewer('partner', '420000', { clientId: 'title-review', scopes: ['dossier:read'] });
    const inside = await s.call(partner, SLOT, { unit: SCHOOL, grade: 12 });
    expect(inside.data.postSlotAvailability.unit.id).toBe(SCHOOL);
    const out = await s.call(partner, SLOT, { unit: '1111000102', grade: 12 });
    expect(out.data.postSlotAvailability).toBeNull();
    const analyst = await s.call(s.viewer('analyst', '420000'), SLOT, { unit: SCHOOL, grade: 12 });
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A system administrator may see the plan's ceiling and whether a slot is free, not how many teachers hold one.
    const systemAdmin = await s.call(s.viewer('province_system_admin', '420000'), SLOT, { unit: SCHOOL, grade: 12 });
    expect(systemAdmin.data.postSlotAvailability).toMatchObject({ ceiling: inside.data.postSlotAvailability.ceiling, occupied: null, free: null, hasFreeSlot: inside.data.postSlotAvailability.hasFreeSlot });
    const badGrade = await s.call(partner, SLOT, { unit: SCHOOL, grade: 0 });
    expect(badGrade.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grade' });
  });

  it('lists today\'s slots of a page of units (OrgUnit.freePostSlots) in one statement, as postSlotAvailability counts them; null outside scope', async () => {
    const FREE = `#graphql
      query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id freePostSlots { unit { id } category grade on ceiling occupied free hasFreeSlot } } } }`;
    const schools = data.orgUnits.filter((o) => o.level === 'school').map((o) => ({ __typename: 'OrgUnit', id: o.id }));
    const { result, count } = await countQueries([s.server.db.knex], () => s.call(s.viewer('province_query', '420000'), FREE, { reps: schools }));
    expect(result.errors).toBeUndefined();
    expect(count).toBe(1);
    const bySchool = new Map(result.data._entities.map((u: { id: string; freePostSlots: unknown }) => [u.id, u.freePostSlots]));
    // Schools outside Hubei are outside the viewer's scope: null, not an empty list.
    const outside = data.orgUnits.filter((o) => o.level === 'school' && !o.path.includes('/420000/'));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.every((o) => bySchool.get(o.id) === null)).toBe(true);
    const slots = bySchool.get(SCHOOL) as { category: string; grade: number; on: string; free: number; ceiling: number; occupied: number; hasFreeSlot: boolean; unit: { id: string } }[];
    const today = new Date().toISOString().slice(0, 10);
    // Demo plans cover professional-technical grades 4–13; each figure equals postSlotAvailability for today.
    expect(slots.map((x) => x.grade)).toEqual(expect.arrayContaining([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
    for (const slot of slots) {
      const asked = (await s.call(countyAdmin(), SLOT, { unit: SCHOOL, grade: slot.grade, category: slot.category })).data.postSlotAvailability;
      expect(slot).toEqual({ ...asked, on: today });
    }
    // The grade-12 slot taken in an earlier test is full today.
    expect(slots.find((x) => x.grade === 12)).toMatchObject({ free: 0, hasFreeSlot: false });

    const partner = s.viewer('partner', '420000', { clientId: 'title-review', scopes: ['dossier:read'] });
    const one = (viewer: ReturnType<StaffingService['viewer']>, id: string) => s.call(viewer, FREE, { reps: [{ __typename: 'OrgUnit', id }] });
    expect((await one(partner, SCHOOL)).data._entities[0].freePostSlots.length).toBe(slots.length);
    expect((await one(partner, '1111000102')).data._entities[0].freePostSlots).toBeNull();
    // A partner without dossier:read and an analyst are refused; a teacher passes the gate (their own title
    // review requires the field) but has no organisation scope, so reads nothing.
    const orgOnly = await one(s.viewer('partner', '420000', { clientId: 'org-browser', scopes: ['org:read'] }), SCHOOL);
    expect(orgOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await one(s.viewer('analyst', '420000'), SCHOOL)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const teacher = await one(s.viewer('teacher', SCHOOL, { teacherId: onQuota[0] }), SCHOOL);
    expect(teacher.errors).toBeUndefined();
    expect(teacher.data._entities[0].freePostSlots).toBeNull();
  });
});
