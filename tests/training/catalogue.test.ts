import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { entities, startTraining, teacherRefs, type TrainingHarness } from './harness';

const data = buildDemoDataset();
const hongshanSchool = '1142000101';
const hongshanTeachers = data.teachers.filter((t) => t.schoolId === hongshanSchool);
const beijingTeacher = data.teachers.find((t) => t.orgPath.includes('/110000/'))!;

const CREATE_PROGRAMME = `mutation($input: CreateTrainingProgrammeInput!) { createTrainingProgramme(input: $input) { programme { id level organiser { id } } errors { code field } } }`;
const CREATE_COURSE = `mutation($input: CreateTrainingCourseInput!) { createTrainingCourse(input: $input) { course { id capacity enrolledCount form hours compulsory } errors { code field } } }`;
const ENROL = `mutation($input: EnrolInTrainingCourseInput!) { enrolInTrainingCourse(input: $input) { enrolment { id status version course { id enrolledCount } } errors { code field message } } }`;
const COMPLETE = `mutation($input: RecordCourseCompletionInput!) { recordCourseCompletion(input: $input) { enrolment { id status hoursCompleted trainingRecord { id source hours credits } } errors { code field } } }`;

describe('catalogue: programmes, courses, enrolment within capacity, completion banked', () => {
  let h: TrainingHarness;
  const county = () => h.viewer('county_info_admin', '420111');
  const asTeacher = (i: number) => h.viewer('teacher', hongshanSchool, { teacherId: hongshanTeachers[i]!.id });
  let courseId: string;

  beforeAll(async () => {
    h = await startTraining();
    const programme = (await h.graphql(county(), CREATE_PROGRAMME, { input: { title: '洪山区青年教师成长营' } })).data.createTrainingProgramme;
    expect(programme.errors).toEqual([]);
    expect(programme.programme).toMatchObject({ level: 'COUNTY', organiser: { id: '420111' } });
    const course = (
      await h.graphql(county(), CREATE_COURSE, {
        input: { programmeId: programme.programme.id, title: '课堂教学基本功', form: 'CENTRALISED', hours: 24, compulsory: false, subject: 'chinese', stage: 'primary', capacity: 2, startsOn: '2026-06-01', endsOn: '2027-06-30' },
      })
    ).data.createTrainingCourse;
    expect(course.errors).toEqual([]);
    courseId = course.course.id;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('browses the catalogue a viewer is offered, with filters and pages', async () => {
    const q = `query($f: TrainingCourseFilter, $after: String) { trainingCourses(filter: $f, first: 2, after: $after) { totalCount nodes { id title programme { level organiser { id } } } pageInfo { hasNextPage endCursor } } }`;
    const teacherView = (await h.graphql(asTeacher(0), q, {})).data.trainingCourses;
    const organisers = new Set<string>();
    let after: string | null = null;
    let seen = 0;
    do {
      const page: any = (await h.graphql(asTeacher(0), q, { after })).data.trainingCourses;
      seen += page.nodes.length;
      page.nodes.forEach((n: any) => organisers.add(n.programme.organiser.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toBe(teacherView.totalCount);
    expect([...organisers].sort()).toEqual(['420000', '420111', 'CN']); // never Beijing's or Gansu's
    const national = (await h.graphql(asTeacher(0), q, { f: { level: 'NATIONAL' } })).data.trainingCourses;
    expect(national.nodes.every((n: any) => n.programme.level === 'NATIONAL')).toBe(true);
  });

  it('enrols within capacity; enrolling twice returns the same place; a full course refuses', async () => {
    const first = (await h.graphql(asTeacher(0), ENROL, { input: { courseId } })).data.enrolInTrainingCourse;
    expect(first.errors).toEqual([]);
    const again = (await h.graphql(asTeacher(0), ENROL, { input: { courseId } })).data.enrolInTrainingCourse;
    expect(again.enrolment.id).toBe(first.enrolment.id);
    const second = (await h.graphql(county(), ENROL, { input: { courseId, teacherId: hongshanTeachers[1]!.id } })).data.enrolInTrainingCourse;
    expect(second.enrolment.course.enrolledCount).toBe(2);
    const roster = `query($id: ID!) { trainingCourse(id: $id) { enrolments { teacher { id } status } } }`;
    expect((await h.graphql(county(), roster, { id: courseId })).data.trainingCourse.enrolments).toHaveLength(2);
    expect((await h.graphql(asTeacher(0), roster, { id: courseId })).data.trainingCourse.enrolments).toEqual([{ teacher: { id: hongshanTeachers[0]!.id }, status: 'ENROLLED' }]);
    const full = (await h.graphql(asTeacher(2), ENROL, { input: { courseId } })).data.enrolInTrainingCourse;
    expect(full.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'courseId'] });
    const n = await h.server.db.knex(h.server.db.t('course_enrolment')).where({ course_id: courseId }).count('* as n').first();
    expect(Number(n!.n)).toBe(2);
  });

  it('two teachers racing for the last place: exactly one gets it', async () => {
    const programmeId = (await h.graphql(county(), CREATE_PROGRAMME, { input: { title: '名额竞争' } })).data.createTrainingProgramme.programme.id;
    const course = (
      await h.graphql(county(), CREATE_COURSE, {
        input: { programmeId, title: '最后一个名额', form: 'ONLINE', hours: 10, compulsory: false, capacity: 1, startsOn: '2026-06-01', endsOn: '2027-06-30' },
      })
    ).data.createTrainingCourse.course;
    const results = await Promise.all([4, 5].map((i) => h.graphql(asTeacher(i), ENROL, { input: { courseId: course.id } })));
    const outcomes = results.map((r) => r.data.enrolInTrainingCourse.errors[0]?.code ?? 'OK').sort();
    expect(outcomes).toEqual(['OK', 'RULE_VIOLATION']);
    const n = await h.server.db.knex(h.server.db.t('course_enrolment')).where({ course_id: course.id }).count('* as n').first();
    expect(Number(n!.n)).toBe(1);
  });

  it('refuses unknown courses, courses not offered to the teacher, and teachers outside scope', async () => {
    const unknown = (await h.graphql(asTeacher(3), ENROL, { input: { courseId: '00000000-0000-4000-8000-000000000000' } })).data.enrolInTrainingCourse;
    expect(unknown.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'courseId'] });
    const garbage = (await h.graphql(asTeacher(3), ENROL, { input: { courseId: 'nope' } })).data.enrolInTrainingCourse;
    expect(garbage.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'courseId'] });
    const beijing = (await h.graphql(h.viewer('teacher', beijingTeacher.schoolId, { teacherId: beijingTeacher.id }), ENROL, { input: { courseId } })).data.enrolInTrainingCourse;
    expect(beijing.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'courseId'] });
    const outside = (await h.graphql(county(), ENROL, { input: { courseId, teacherId: beijingTeacher.id } })).data.enrolInTrainingCourse;
    expect(outside.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'teacherId'] });
  });

  it('rejects bad course input naming the field', async () => {
    const programmeId = (await h.graphql(county(), CREATE_PROGRAMME, { input: { title: 'x' } })).data.createTrainingProgramme.programme.id;
    const base = { programmeId, title: 't', form: 'ONLINE', hours: 10, compulsory: true, capacity: 10, startsOn: '2026-01-01', endsOn: '2026-02-01' };
    for (const [override, field] of [
      [{ hours: -1 }, 'hours'],
      [{ hours: 5000 }, 'hours'],
      [{ capacity: 0 }, 'capacity'],
      [{ endsOn: '2025-01-01' }, 'endsOn'],
    ] as const) {
      const r = (await h.graphql(county(), CREATE_COURSE, { input: { ...base, ...override } })).data.createTrainingCourse;
      expect(r.course).toBeNull();
      expect(r.errors).toContainEqual(expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', field] }));
    }
    // A programme of another organisation cannot take courses from this one.
    const other = (await h.graphql(h.viewer('county_info_admin', '420115'), CREATE_COURSE, { input: base })).data.createTrainingCourse;
    expect(other.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'programmeId'] });
  });

  it('records completion: a pass is banked without a declaration, once', async () => {
    const enrolment = (await h.graphql(asTeacher(0), ENROL, { input: { courseId } })).data.enrolInTrainingCourse.enrolment;
    const tooMany = (await h.graphql(county(), COMPLETE, { input: { enrolmentId: enrolment.id, version: enrolment.version, passed: true, hours: 30 } })).data.recordCourseCompletion;
    expect(tooMany.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'hours'] });
    const forbidden = await h.graphql(asTeacher(0), COMPLETE, { input: { enrolmentId: enrolment.id, version: enrolment.version, passed: true } });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const neighbour = (await h.graphql(h.viewer('county_info_admin', '420115'), COMPLETE, { input: { enrolmentId: enrolment.id, version: enrolment.version, passed: true } })).data
      .recordCourseCompletion;
    expect(neighbour.errors[0].code).toBe('NOT_FOUND');
    const done = (await h.graphql(county(), COMPLETE, { input: { enrolmentId: enrolment.id, version: enrolment.version, passed: true } })).data.recordCourseCompletion;
    expect(done.errors).toEqual([]);
    // 湖北: 24 hours of centralised training at 10 hours per credit.
    expect(done.enrolment).toMatchObject({ status: 'COMPLETED', hoursCompleted: 24, trainingRecord: { source: 'COURSE', hours: 24, credits: 2.4 } });
    const replay = (await h.graphql(county(), COMPLETE, { input: { enrolmentId: enrolment.id, version: enrolment.version, passed: true } })).data.recordCourseCompletion;
    expect(replay.errors).toEqual([]);
    const ledger = (await h.graphql(county(), entities('creditLedger { trainingRecordId }'), teacherRefs([hongshanTeachers[0]!.id]))).data._entities[0].creditLedger;
    expect(ledger.filter((e: { trainingRecordId: string }) => e.trainingRecordId === done.enrolment.trainingRecord.id)).toHaveLength(1);
    const mine = (await h.graphql(asTeacher(0), entities('courseEnrolments { id status course { title } }'), teacherRefs([hongshanTeachers[0]!.id]))).data._entities[0];
    expect(mine.courseEnrolments).toContainEqual({ id: enrolment.id, status: 'COMPLETED', course: { title: '课堂教学基本功' } });
  });
});
