import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { likePrefix } from '../../../shared/src/org-scope';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import type { TrainingForm } from '../domain/credit-rules';
import { InputCheck, today } from '../domain/validation';
import { findTeacherInScope, recordAndBank } from './activities';
import { loadCreditRules } from './credit-bank';

export type TrainingLevel = 'national' | 'provincial' | 'city' | 'county' | 'school';

export interface ProgrammeRow {
  id: string;
  title: string;
  level: TrainingLevel;
  organiserOrgId: string;
  organiserOrgPath: string;
  description: string | null;
  version: number;
}

export interface CourseRow {
  id: string;
  programmeId: string;
  title: string;
  form: TrainingForm;
  hours: number;
  compulsory: boolean;
  subject: string | null;
  stage: string | null;
  capacity: number;
  enrolledCount: number;
  startsOn: string;
  endsOn: string;
  version: number;
}

export interface EnrolmentRow {
  id: string;
  courseId: string;
  teacherId: string;
  status: 'enrolled' | 'completed' | 'failed';
  hoursCompleted: number | null;
  completedOn: string | null;
  trainingRecordId: string | null;
  version: number;
}

const PROGRAMME_COLUMNS = ['p.id', 'p.title', 'p.level', 'p.organiser_org_id as organiserOrgId', 'p.organiser_org_path as organiserOrgPath', 'p.description', 'p.version'];
const COURSE_COLUMNS = [
  'c.id',
  'c.programme_id as programmeId',
  'c.title',
  'c.form',
  'c.hours',
  'c.compulsory',
  'c.subject',
  'c.stage',
  'c.capacity',
  'c.enrolled_count as enrolledCount',
  'c.starts_on as startsOn',
  'c.ends_on as endsOn',
  'c.version',
];
const ENROLMENT_COLUMNS = [
  'n.id',
  'n.course_id as courseId',
  'n.teacher_id as teacherId',
  'n.status',
  'n.hours_completed as hoursCompleted',
  'n.completed_on as completedOn',
  'n.training_record_id as trainingRecordId',
  'n.version',
];

const LEVEL_OF_ORG = { national: 'national', province: 'provincial', city: 'city', county: 'county', school: 'school' } as const;

/**
 * Which programmes a viewer may see: those run by its own organisation or any unit above it
 * (offered to it) and those run below it (it supervises them). Teachers see what is offered to
 * their school. Decided in SQL on the organiser's path.
 */
function whereProgrammeVisible<T extends Knex.QueryBuilder>(query: T, viewer: Viewer): T {
  return query.where((q) =>
    q.whereRaw('? like p.organiser_org_path || ?', [viewer.orgPath, '%']).orWhereRaw('p.organiser_org_path like ?', [likePrefix(viewer.orgPath)]),
  ) as T;
}

export async function findProgrammesByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<ProgrammeRow[]> {
  const valid = ids.map(normaliseUuid).filter((id): id is string => id !== null);
  return whereProgrammeVisible(db.knex(db.t('training_programme as p')).select(PROGRAMME_COLUMNS).whereIn('p.id', valid), viewer);
}

export async function findCoursesByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<CourseRow[]> {
  const valid = ids.map(normaliseUuid).filter((id): id is string => id !== null);
  return whereProgrammeVisible(
    db.knex(db.t('training_course as c')).join(db.t('training_programme as p'), 'p.id', 'c.programme_id').select(COURSE_COLUMNS).whereIn('c.id', valid),
    viewer,
  );
}

export async function findCoursesByProgrammeIds(db: Db, programmeIds: readonly string[]): Promise<CourseRow[]> {
  return db
    .knex(db.t('training_course as c'))
    .select(COURSE_COLUMNS)
    .whereIn('c.programme_id', programmeIds as string[])
    .orderBy([{ column: 'c.starts_on' }, { column: 'c.id' }]);
}

export interface CourseFilter {
  form?: TrainingForm | null;
  level?: TrainingLevel | null;
  compulsory?: boolean | null;
  subject?: string | null;
  stage?: string | null;
  endsOnOrAfter?: string | null;
}

/** A page of visible courses ordered by (starts_on, id). */
export async function listCourses(db: Db, viewer: Viewer, filter: CourseFilter, limit: number, after: { startsOn: string; id: string } | null) {
  const base = () => {
    const q = whereProgrammeVisible(db.knex(db.t('training_course as c')).join(db.t('training_programme as p'), 'p.id', 'c.programme_id'), viewer);
    if (filter.form) q.where('c.form', filter.form);
    if (filter.level) q.where('p.level', filter.level);
    if (filter.compulsory != null) q.where('c.compulsory', filter.compulsory);
    if (filter.subject) q.where('c.subject', filter.subject);
    if (filter.stage) q.where('c.stage', filter.stage);
    if (filter.endsOnOrAfter) q.where('c.ends_on', '>=', filter.endsOnOrAfter);
    return q;
  };
  const page = base().select(COURSE_COLUMNS).orderBy([{ column: 'c.starts_on' }, { column: 'c.id' }]).limit(limit + 1);
  if (after) page.whereRaw('(c.starts_on, c.id) > (?::date, ?::uuid)', [after.startsOn, after.id]);
  const rows = (await page) as CourseRow[];
  return { rows, total: async () => Number(((await base().count('* as n').first()) as { n: number }).n) };
}

/**
 * Enrolments on the given courses the viewer may see, in one statement: the organiser (or a unit
 * above it) sees every participant, any other administrator the participants of its subtree, a
 * teacher only their own place.
 */
export async function findEnrolmentsByCourseIds(db: Db, viewer: Viewer, courseIds: readonly string[]): Promise<EnrolmentRow[]> {
  const query = db
    .knex(db.t('course_enrolment as n'))
    .join(db.t('training_course as c'), 'c.id', 'n.course_id')
    .join(db.t('training_programme as p'), 'p.id', 'c.programme_id')
    .join(db.t('teacher_scope as s'), 's.teacher_id', 'n.teacher_id')
    .select(ENROLMENT_COLUMNS)
    .whereIn('n.course_id', courseIds as string[])
    .orderBy([{ column: 'n.created_at' }, { column: 'n.id' }]);
  if (viewer.role === 'teacher') return query.where('n.teacher_id', viewer.teacherId ?? null);
  if (!parseAdminRole(viewer.role)) return query.whereRaw('false');
  const prefix = likePrefix(viewer.orgPath);
  return query.where((q) => q.where('p.organiser_org_path', 'like', prefix).orWhere('s.org_path', 'like', prefix));
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findEnrolmentsByTeacherIds(db: Db, teacherIds: readonly string[]): Promise<EnrolmentRow[]> {
  return db.knex(db.t('course_enrolment as n')).select(ENROLMENT_COLUMNS).whereIn('n.teacher_id', teacherIds as string[]).orderBy('n.created_at', 'desc');
}

export async function createProgramme(db: Db, viewer: Viewer, input: { title: string; description?: string | null }) {
  const check = new InputCheck().text(input.title, ['input', 'title']).text(input.description, ['input', 'description'], { required: false, max: 2000 });
  if (!check.ok) return { programme: null, errors: check.errors };
  const admin = parseAdminRole(viewer.role);
  if (!admin) return { programme: null, errors: [userError(UserErrorCode.RULE_VIOLATION, 'Only an administrator’s organisation can run a programme.')] };
  return runMutation(db.knex, async (trx) => {
    const [programme] = (await trx(db.t('training_programme'))
      .insert({
        id: randomUUID(),
        title: input.title.trim(),
        level: LEVEL_OF_ORG[admin.level],
        organiser_org_id: viewer.orgId,
        organiser_org_path: viewer.orgPath,
        description: input.description?.trim() || null,
        created_by: viewer.subject,
      })
      .returning(['id', 'title', 'level', 'organiser_org_id as organiserOrgId', 'organiser_org_path as organiserOrgPath', 'description', 'version'])) as ProgrammeRow[];
    return { programme };
  });
}

export interface CreateCourseInput {
  programmeId: string;
  title: string;
  form: TrainingForm;
  hours: number;
  compulsory: boolean;
  subject?: string | null;
  stage?: string | null;
  capacity: number;
  startsOn: string;
  endsOn: string;
}

export async function createCourse(db: Db, viewer: Viewer, input: CreateCourseInput) {
  const check = new InputCheck()
    .text(input.title, ['input', 'title'])
    .hours(input.hours, ['input', 'hours'])
    .text(input.subject, ['input', 'subject'], { required: false, max: 50 })
    .text(input.stage, ['input', 'stage'], { required: false, max: 50 })
    .check(Number.isInteger(input.capacity) && input.capacity >= 1 && input.capacity <= 10000, 'capacity must be a whole number from 1 to 10000.', ['input', 'capacity'])
    .check(input.endsOn >= input.startsOn, 'endsOn must not be before startsOn.', ['input', 'endsOn']);
  if (!check.ok) return { course: null, errors: check.errors };
  return runMutation(db.knex, async (trx) => {
    const programmeId = normaliseUuid(input.programmeId);
    const programme = programmeId
      ? await trx(db.t('training_programme')).first('id').where({ id: programmeId, organiser_org_id: viewer.orgId })
      : undefined;
    if (!programme) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No programme run by your organisation has this id.', ['input', 'programmeId'])]);
    const id = randomUUID();
    await trx(db.t('training_course')).insert({
      id,
      programme_id: programmeId,
      title: input.title.trim(),
      form: input.form,
      hours: input.hours,
      compulsory: input.compulsory,
      subject: input.subject?.trim() || null,
      stage: input.stage?.trim() || null,
      capacity: input.capacity,
      starts_on: input.startsOn,
      ends_on: input.endsOn,
    });
    const course = (await trx(db.t('training_course as c')).first(COURSE_COLUMNS).where('c.id', id)) as CourseRow;
    return { course };
  });
}

async function loadEnrolment(trx: Knex.Transaction, db: Db, id: string): Promise<EnrolmentRow> {
  return (await trx(db.t('course_enrolment as n')).first(ENROLMENT_COLUMNS).where('n.id', id)) as EnrolmentRow;
}

/**
 * Enrols within capacity. The enrolment row is inserted first (a second enrolment of the same
 * teacher finds it and returns it); the place is then taken with one conditional UPDATE, so two
 * teachers racing for the last place cannot both get it.
 */
export async function enrol(db: Db, viewer: Viewer, input: { courseId: string; teacherId?: string | null }) {
  const teacherId = input.teacherId ?? (viewer.role === 'teacher' ? viewer.teacherId : undefined);
  if (!teacherId) return { enrolment: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'teacherId is required when an administrator enrols a teacher.', ['input', 'teacherId'])] };
  return runMutation(db.knex, async (trx) => {
    const teacher = await findTeacherInScope(trx, db, viewer, teacherId);
    if (!teacher) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your scope.', ['input', 'teacherId'])]);
    const courseId = normaliseUuid(input.courseId);
    // A course is open to the teachers of its organiser's subtree.
    const course = courseId
      ? ((await trx(db.t('training_course as c'))
          .join(db.t('training_programme as p'), 'p.id', 'c.programme_id')
          .first(COURSE_COLUMNS)
          .where('c.id', courseId)
          .andWhereRaw('? like p.organiser_org_path || ?', [teacher.orgPath, '%'])) as CourseRow | undefined)
      : undefined;
    if (!course) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No course with this id is offered to this teacher.', ['input', 'courseId'])]);
    const inserted = await trx.raw(
      `insert into ${db.t('course_enrolment')} (id, course_id, teacher_id, enrolled_by) values (?, ?, ?, ?)
       on conflict (course_id, teacher_id) do nothing returning id`,
      [randomUUID(), course.id, teacher.id, viewer.subject],
    );
    const newId = (inserted.rows as { id: string }[])[0]?.id;
    if (!newId) {
      const existing = (await trx(db.t('course_enrolment')).first('id').where({ course_id: course.id, teacher_id: teacher.id })) as { id: string };
      return { enrolment: await loadEnrolment(trx, db, existing.id) };
    }
    if (course.endsOn < today()) throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, 'The course has ended.', ['input', 'courseId'])]);
    const taken = await trx(db.t('training_course'))
      .where('id', course.id)
      .andWhereRaw('enrolled_count < capacity')
      .update({ enrolled_count: trx.raw('enrolled_count + 1'), updated_at: trx.fn.now() });
    if (taken === 0) throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `The course is full (${course.capacity} places).`, ['input', 'courseId'])]);
    return { enrolment: await loadEnrolment(trx, db, newId) };
  });
}

/**
 * The organiser (or a unit above it) records the result. A pass becomes a training record and a
 * deposit at once: completed catalogue courses need no declaration.
 */
export async function recordCompletion(
  db: Db,
  viewer: Viewer,
  input: { enrolmentId: string; version: number; passed: boolean; hours?: number | null; completedOn?: string | null },
) {
  return runMutation(db.knex, async (trx) => {
    const enrolmentId = normaliseUuid(input.enrolmentId);
    const row = enrolmentId
      ? ((await trx(db.t('course_enrolment as n'))
          .join(db.t('training_course as c'), 'c.id', 'n.course_id')
          .join(db.t('training_programme as p'), 'p.id', 'c.programme_id')
          .first([...ENROLMENT_COLUMNS, 'c.hours as courseHours', 'c.title as courseTitle', 'c.form as courseForm', 'c.starts_on as startsOn', 'c.ends_on as endsOn', 'p.organiser_org_id as organiserOrgId'])
          .where('n.id', enrolmentId)
          .andWhere('p.organiser_org_path', 'like', likePrefix(viewer.orgPath))
          .forUpdate('n')) as
          | (EnrolmentRow & { courseHours: number; courseTitle: string; courseForm: TrainingForm; startsOn: string; endsOn: string; organiserOrgId: string })
          | undefined)
      : undefined;
    if (!row) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No enrolment on a course your organisation runs or supervises has this id.', ['input', 'enrolmentId'])]);
    const target = input.passed ? 'completed' : 'failed';
    if (row.status === target) return { enrolment: await loadEnrolment(trx, db, row.id) }; // replay
    if (row.status !== 'enrolled') throw new UserErrorsAbort([userError(UserErrorCode.INVALID_STATE, `The enrolment is already ${row.status}.`, ['input', 'enrolmentId'])]);
    const hours = input.hours ?? row.courseHours;
    const completedOn = input.completedOn ?? (row.endsOn < today() ? row.endsOn : today());
    const check = new InputCheck()
      .hours(hours, ['input', 'hours'])
      .check(hours <= row.courseHours, `hours cannot exceed the course's ${row.courseHours} hours.`, ['input', 'hours'])
      .check(completedOn >= row.startsOn, 'completedOn is before the course starts.', ['input', 'completedOn'])
      .notInFuture(completedOn, today(), ['input', 'completedOn']);
    if (!check.ok) throw new UserErrorsAbort(check.errors);
    const patch: Record<string, unknown> = { status: target, hours_completed: input.passed ? hours : null, completed_on: completedOn };
    if (input.passed) {
      const teacher = (await trx(db.t('teacher_scope')).first('org_path as orgPath').where('teacher_id', row.teacherId)) as { orgPath: string };
      const { recordId } = await recordAndBank(
        trx,
        db,
        await loadCreditRules(db, trx),
        { teacherId: row.teacherId, title: row.courseTitle, form: row.courseForm, hours, completedOn, source: 'course', sourceId: row.id, organiser: row.organiserOrgId },
        teacher.orgPath,
        viewer.subject,
      );
      patch.training_record_id = recordId;
    }
    await updateWithVersion(trx, db.t('course_enrolment'), { column: 'id', value: row.id }, input.version, patch);
    return { enrolment: await loadEnrolment(trx, db, row.id) };
  });
}
