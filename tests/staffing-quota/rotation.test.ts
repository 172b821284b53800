import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildStaffingDemo } from '../../subgraphs/staffing-quota/src/db/seed';
import { requiredCount } from '../../subgraphs/staffing-quota/src/workflows/rotation';
import { outboxOf, startStaffing, TEACHER_ENTITIES, teacherReps, type StaffingService } from './staffing-service';

const data = buildDemoDataset();
const key = new Set(buildStaffingDemo(data).teacherProfiles.filter((p) => p.is_key_teacher).map((p) => p.teacher_id));
const COUNTY = '420115';
const HIGH_QUALITY = '1142000201'; // designated high-quality [优质学校], county town
const RURAL = '1142000202'; // rural and designated weak

// Hand rule for Hubei 2026 (provincial parameters: 6 years, men under 55, women under 50 on 1 September).
const eligible = data.teachers.filter(
  (t) =>
    [HIGH_QUALITY, RURAL].includes(t.schoolId) &&
    t.startedWorkOn <= '2020-09-01' &&
    (t.gender === 1 ? t.birthDate > '1971-09-01' : t.birthDate > '1976-09-01'),
);
const eligibleHQ = eligible.filter((t) => t.schoolId === HIGH_QUALITY);
const nonKeyHQ = eligibleHQ.filter((t) => !key.has(t.id));
const nonKeyRural = eligible.filter((t) => t.schoolId === RURAL && !key.has(t.id));
const keyEligible = eligible.filter((t) => key.has(t.id));

const ELIGIBILITY = `#graphql
  query ($county: ID!, $year: Int!) {
    rotationEligibility(countyId: $county, year: $year) {
      year eligibleCount eligibleFromUrbanOrHighQuality
      parameters { provinceCode minYearsAtSchool ageLimitMale ageLimitFemale minShareOfEligible minShareKeyTeachers }
      candidates { teacher { id } school { id } yearsAtSchool fromUrbanOrHighQualitySchool keyTeacher }
    }
  }`;
const CREATE = `#graphql
  mutation ($input: CreateRotationPlanInput!) { createRotationPlan(input: $input) { plan { id year status version } errors { code message field } } }`;
const ADD = `#graphql
  mutation ($input: AddRotationAssignmentInput!) {
    addRotationAssignment(input: $input) { assignment { id kind status keyTeacher fromUrbanOrHighQualitySchool hostRuralOrWeak homeUnit { id } hostUnit { id } version } errors { code message field } }
  }`;
const PLAN = `#graphql
  query { rotationPlan(countyId: "${COUNTY}", year: 2026) { id status version assignments { id }
    compliance { eligibleFromUrbanOrHighQuality rotatedFromUrbanOrHighQuality requiredFromUrbanOrHighQuality rotated keyTeachersRotated requiredKeyTeachers compliant problems } } }`;
const SUBMIT = `#graphql
  mutation ($input: PlanVersionInput!) { submitRotationPlan(input: $input) { plan { status version } errors { code message field } } }`;
const COMPLETE = `#graphql
  mutation ($input: CompleteRotationInput!) { completeRotation(input: $input) { assignment { status version } errors { code message field } } }`;

describe('exchange rotation', () => {
  let s: StaffingService;
  let planId: string;
  const countyAdmin = () => s.viewer('county_info_admin', COUNTY);
  const add = (teacherId: string, hostOrgUnitId: string, extra: Record<string, unknown> = {}) =>
    s.call(countyAdmin(), ADD, { input: { planId, teacherId, hostOrgUnitId, kind: 'SUPPORT_TEACHING', startsOn: '2026-09-01', endsOn: '2027-08-31', ...extra } });
  const compliance = async () => (await s.call(countyAdmin(), PLAN)).data.rotationPlan.compliance;

  beforeAll(async () => {
    s = await startStaffing();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('derives eligibility from the records and the provincial parameters', async () => {
    expect(eligibleHQ.length).toBeGreaterThan(0);
    expect(keyEligible.length).toBeGreaterThan(0);
    const body = await s.call(s.viewer('county_query', COUNTY), ELIGIBILITY, { county: COUNTY, year: 2026 });
    expect(body.errors).toBeUndefined();
    const result = body.data.rotationEligibility;
    expect(result.parameters).toEqual({ provinceCode: '420000', minYearsAtSchool: 6, ageLimitMale: 55, ageLimitFemale: 50, minShareOfEligible: 0.1, minShareKeyTeachers: 0.2 });
    expect(result.candidates.map((c: any) => c.teacher.id).sort()).toEqual(eligible.map((t) => t.id).sort());
    expect(result.eligibleFromUrbanOrHighQuality).toBe(eligibleHQ.length);
    const sample = eligibleHQ[0]!;
    expect(result.candidates.find((c: any) => c.teacher.id === sample.id)).toMatchObject({
      school: { id: HIGH_QUALITY },
      yearsAtSchool: 2026 - Number(sample.startedWorkOn.slice(0, 4)),
      fromUrbanOrHighQualitySchool: true,
      keyTeacher: key.has(sample.id),
    });
    // Another province, another parameter: Gansu's demo row asks for 5 years.
    const gansu = await s.call(s.viewer('county_query', '621121'), ELIGIBILITY, { county: '621121', year: 2026 });
    expect(gansu.data.rotationEligibility.parameters.minYearsAtSchool).toBe(5);
    // Exemptions are data: an exempted teacher drops out for that year.
    await s.server.db.knex(s.server.db.t('rotation_exemption')).insert({ teacher_id: eligible[eligible.length - 1]!.id, year: 2027, reason: '孕期' });
    const next = await s.call(s.viewer('county_query', COUNTY), ELIGIBILITY, { county: COUNTY, year: 2027 });
    expect(next.data.rotationEligibility.candidates.map((c: any) => c.teacher.id)).not.toContain(eligible[eligible.length - 1]!.id);
    // Outside the viewer's subtree: nothing.
    expect((await s.call(s.viewer('county_query', '420111'), ELIGIBILITY, { county: COUNTY, year: 2026 })).data.rotationEligibility).toBeNull();
  });

  it('checks the plan: ≥ 10% of eligible urban/high-quality teachers rotate, key teachers ≥ 20% of those rotated', async () => {
    const created = await s.call(countyAdmin(), CREATE, { input: { countyId: COUNTY, year: 2026 } });
    expect(created.data.createRotationPlan).toMatchObject({ errors: [], plan: { year: 2026, status: 'DRAFT', version: 1 } });
    planId = created.data.createRotationPlan.plan.id;
    const required = requiredCount(0.1, eligibleHQ.length);

    // A rural teacher alone: the 10% rule is not met.
    const rural = await add(nonKeyRural[0]!.id, HIGH_QUALITY, { kind: 'EXCHANGE' });
    expect(rural.data.addRotationAssignment.assignment).toMatchObject({ fromUrbanOrHighQualitySchool: false, hostRuralOrWeak: false, homeUnit: { id: RURAL } });
    let check = await compliance();
    expect(check).toMatchObject({ eligibleFromUrbanOrHighQuality: eligibleHQ.length, rotatedFromUrbanOrHighQuality: 0, requiredFromUrbanOrHighQuality: required, compliant: false });
    expect(check.problems[0]).toMatch(/teachers of urban or high-quality schools rotate; at least/);

    // Enough high-quality-school teachers, but no key teacher: the 20% rule is not met.
    for (const teacher of nonKeyHQ.slice(0, required)) {
      const added = await add(teacher.id, RURAL);
      expect(added.data.addRotationAssignment.assignment).toMatchObject({ fromUrbanOrHighQualitySchool: true, hostRuralOrWeak: true, keyTeacher: false });
    }
    check = await compliance();
    expect(check).toMatchObject({ rotatedFromUrbanOrHighQuality: required, rotated: required + 1, keyTeachersRotated: 0, requiredKeyTeachers: requiredCount(0.2, required + 1), compliant: false });
    const refused = await s.call(countyAdmin(), SUBMIT, { input: { planId, version: 1 } });
    expect(refused.data.submitRotationPlan).toMatchObject({ plan: null, errors: [{ code: 'RULE_VIOLATION', field: ['input', 'planId'] }] });
    expect(refused.data.submitRotationPlan.errors[0].message).toMatch(/key teachers rotate; at least 1 \(20% of/);

    // Completing before submission is not possible.
    const early = await s.call(countyAdmin(), COMPLETE, { input: { assignmentId: rural.data.addRotationAssignment.assignment.id, version: 1 } });
    expect(early.data.completeRotation.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);

    for (const teacher of keyEligible) {
      check = await compliance();
      if (check.keyTeachersRotated >= check.requiredKeyTeachers) break;
      await add(teacher.id, teacher.schoolId === RURAL ? HIGH_QUALITY : RURAL);
    }
    check = await compliance();
    expect(check).toMatchObject({ compliant: true, problems: [] });
    expect(check.keyTeachersRotated).toBeGreaterThanOrEqual(Math.ceil(0.2 * check.rotated - 1e-9));
    expect(check.rotatedFromUrbanOrHighQuality).toBeGreaterThanOrEqual(Math.ceil(0.1 * eligibleHQ.length - 1e-9));

    const stale = await s.call(countyAdmin(), SUBMIT, { input: { planId, version: 0 } });
    expect(stale.data.submitRotationPlan.errors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const submitted = await s.call(countyAdmin(), SUBMIT, { input: { planId, version: 1 } });
    expect(submitted.data.submitRotationPlan).toMatchObject({ errors: [], plan: { status: 'SUBMITTED', version: 2 } });
    const late = await add(nonKeyHQ[required]!.id, RURAL);
    expect(late.data.addRotationAssignment.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
  });

  it('refuses ineligible teachers, foreign hosts, bad dates and duplicates, storing nothing', async () => {
    const fresh = await s.call(countyAdmin(), CREATE, { input: { countyId: COUNTY, year: 2027 } });
    planId = fresh.data.createRotationPlan.plan.id;
    const newcomer = data.teachers.find((t) => t.schoolId === HIGH_QUALITY && t.startedWorkOn > '2021-09-01')!;
    // Above the Hubei age limit on 1 September 2027 (men 55, women 50).
    const older = data.teachers.find(
      (t) => [HIGH_QUALITY, RURAL].includes(t.schoolId) && t.startedWorkOn <= '2021-09-01' && t.birthDate <= (t.gender === 1 ? '1972-09-01' : '1977-09-01'),
    )!;
    const teacher = nonKeyHQ[0]!;
    const cases: [string, string, Record<string, unknown>, { code: string; field: string[] }][] = [
      [newcomer.id, RURAL, {}, { code: 'RULE_VIOLATION', field: ['input', 'teacherId'] }],
      [older.id, older.schoolId === RURAL ? HIGH_QUALITY : RURAL, {}, { code: 'RULE_VIOLATION', field: ['input', 'teacherId'] }],
      [teacher.id, '1142000101', {}, { code: 'NOT_FOUND', field: ['input', 'hostOrgUnitId'] }],
      [teacher.id, HIGH_QUALITY, {}, { code: 'INVALID_INPUT', field: ['input', 'hostOrgUnitId'] }],
      [teacher.id, RURAL, { endsOn: '2027-09-01', startsOn: '2027-09-01' }, { code: 'INVALID_INPUT', field: ['input', 'endsOn'] }],
    ];
    for (const [teacherId, host, extra, expected] of cases) {
      const body = await add(teacherId, host, { startsOn: '2027-09-01', endsOn: '2028-08-31', ...extra });
      expect(body.data.addRotationAssignment).toMatchObject({ assignment: null, errors: [expect.objectContaining(expected)] });
    }
    expect(await s.server.db.knex(s.server.db.t('rotation_assignment')).where('plan_id', planId).count('* as n').first().then((r) => Number(r?.n))).toBe(0);
    expect((await add(teacher.id, RURAL, { startsOn: '2027-09-01', endsOn: '2028-08-31' })).data.addRotationAssignment.errors).toEqual([]);
    expect((await add(teacher.id, RURAL, { startsOn: '2028-09-01', endsOn: '2029-08-31' })).data.addRotationAssignment.errors).toEqual([
      expect.objectContaining({ code: 'DUPLICATE', field: ['input', 'teacherId'] }),
    ]);
    // Already rotating (2026 plan) until 2027-08-31: an overlapping assignment is refused.
    expect((await add(teacher.id, RURAL, { startsOn: '2027-06-01', endsOn: '2028-05-31' })).data.addRotationAssignment.errors).toEqual([
      expect.objectContaining({ code: 'RULE_VIOLATION', field: ['input', 'startsOn'] }),
    ]);
    const twice = await s.call(countyAdmin(), CREATE, { input: { countyId: COUNTY, year: 2027 } });
    expect(twice.data.createRotationPlan.errors).toEqual([expect.objectContaining({ code: 'DUPLICATE' })]);
    const city = await s.call(s.viewer('city_info_admin', '420100'), CREATE, { input: { countyId: '420100', year: 2027 } });
    expect(city.data.createRotationPlan.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'countyId'] })]);
    const neighbour = await s.call(s.viewer('county_info_admin', '420111'), CREATE, { input: { countyId: COUNTY, year: 2028 } });
    expect(neighbour.data.createRotationPlan.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'countyId'] })]);
  });

  it('records a completed rotation on the teacher and tells the registry', async () => {
    const plan = (await s.call(countyAdmin(), PLAN)).data.rotationPlan;
    const served = nonKeyHQ[0]!;
    const assignment = (await s.call(countyAdmin(), TEACHER_ENTITIES('rotations { id status hostUnit { id } }'), teacherReps([served.id]))).data._entities[0].rotations.find(
      (r: any) => plan.assignments.some((a: any) => a.id === r.id),
    );
    const done = await s.call(countyAdmin(), COMPLETE, { input: { assignmentId: assignment.id, version: 1 } });
    expect(done.data.completeRotation).toMatchObject({ errors: [], assignment: { status: 'COMPLETED', version: 2 } });
    const again = await s.call(countyAdmin(), COMPLETE, { input: { assignmentId: assignment.id, version: 2 } });
    expect(again.data.completeRotation.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);

    const archive = await s.call(s.viewer('partner', '420000', { clientId: 'title-review', scopes: ['dossier:read'] }), TEACHER_ENTITIES('ruralOrWeakSchoolServiceYears rotations { kind status startsOn endsOn hostRuralOrWeak }'), teacherReps([served.id]));
    // 2026-09-01 to 2027-08-31: 364 days / 365.25 → 1.0 year at a rural, weak school.
    expect(archive.data._entities[0]).toMatchObject({ ruralOrWeakSchoolServiceYears: 1 });
    expect(archive.data._entities[0].rotations).toContainEqual({ kind: 'SUPPORT_TEACHING', status: 'COMPLETED', startsOn: '2026-09-01', endsOn: '2027-08-31', hostRuralOrWeak: true });
    const events = await outboxOf(s, 'staffing.rotation-completed');
    expect(events.map((e: any) => e.consumer).sort()).toEqual(expect.arrayContaining(['teacher-registry']));
    expect(events[0].payload).toEqual({ rotationId: assignment.id, teacherId: served.id, homeOrgId: HIGH_QUALITY, hostOrgId: RURAL, kind: 'support_teaching', startsOn: '2026-09-01', endsOn: '2027-08-31' });
  });
});
