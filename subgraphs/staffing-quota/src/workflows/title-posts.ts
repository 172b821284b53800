import { randomUUID } from 'node:crypto';
import { enqueueEvent, EVENT_TYPES, type EventHandler } from '../../../shared/src/events';
import { isIsoDate } from '../../../shared/src/scalars';
import { normaliseUuid } from '../../../shared/src/ids';
import { insertAppointment, overlappingAppointment, slotCounts } from '../repositories/posts';
import { activeEmployment } from '../repositories/staffing';

/** What evaluation sends when a school appoints an approved title [聘任]. */
export interface TitleAppointmentRequested {
  applicationId: string;
  teacherId: string;
  /** The school that appoints (the teacher's employing unit). */
  schoolId: string;
  /** Registry title code, e.g. senior. */
  title: string;
  /** Words for the grade band, e.g. "副高 (deputy senior)". */
  gradeWords?: string;
  /** Professional-technical grades the title may be appointed into, e.g. 5–7 for 高级. */
  gradeFrom: number;
  gradeTo: number;
  startsOn: string;
  documentRef?: string | null;
}

export interface TitlePostDecided {
  applicationId: string;
  teacherId: string;
  outcome: 'appointed' | 'refused';
  appointmentId?: string;
  category?: 'professional_technical';
  grade?: number;
  startsOn?: string;
  reason?: string;
}

const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * Staffing-quota owns post slots, so it is the one place a title appointment can take one. The
 * request arrives through the outbox; the answer leaves the same way, in the same transaction as the
 * post appointment (or the refusal), so evaluation learns exactly what happened.
 *
 * Two appointments can never take the last slot: the post plan rows of the title's grade band are
 * locked (FOR UPDATE, in grade order) before counting, the same rows `appointToPost` locks for its
 * grade, so every writer of those slots waits for the one before it and counts committed rows. A
 * plan without rows has a ceiling of 0, so nothing can be taken there anyway.
 *
 * The new post starts on the appointment date, at the band's entry grade first (the highest grade
 * number with a free post, e.g. 7 before 6 before 5 for 副高). A post the teacher holds on that date
 * ends the day before: the teacher moves from the old post to the new one. Refusals are answers, not
 * failures: the event is acknowledged and the refusal travels back with the reason in words.
 */
export const takeTitlePost: EventHandler<TitleAppointmentRequested> = async ({ trx, db, event, logger }) => {
  const p = event.payload;
  const applicationId = normaliseUuid(String(p.applicationId ?? ''));
  const teacherId = normaliseUuid(String(p.teacherId ?? ''));
  const category = 'professional_technical' as const;
  const startsOk = typeof p.startsOn === 'string' && isIsoDate(p.startsOn);
  const answer = async (decision: Omit<TitlePostDecided, 'applicationId' | 'teacherId'>) => {
    if (!applicationId) return; // nowhere to answer; logged below
    await trx(db.t('title_post_request')).insert({
      event_id: event.id,
      application_id: applicationId,
      teacher_id: teacherId ?? applicationId,
      org_id: String(p.schoolId ?? ''),
      title: String(p.title ?? ''),
      starts_on: startsOk ? p.startsOn : null,
      outcome: decision.outcome,
      appointment_id: decision.appointmentId ?? null,
      reason: decision.reason ?? null,
    });
    await enqueueEvent(trx, db, { type: EVENT_TYPES.TITLE_POST_DECIDED, payload: { applicationId, teacherId, ...decision } });
  };
  const refuse = (reason: string) => answer({ outcome: 'refused', reason });

  const validGrades = Number.isInteger(p.gradeFrom) && Number.isInteger(p.gradeTo) && p.gradeFrom >= 1 && p.gradeTo <= 13 && p.gradeFrom <= p.gradeTo;
  if (!applicationId || !teacherId || !validGrades || !startsOk || typeof p.schoolId !== 'string') {
    logger.warn({ eventId: event.id, payload: p }, 'malformed title appointment request refused');
    return refuse('The appointment request was incomplete (teacher, school, grades or date); nothing was appointed.');
  }
  const year = Number(p.startsOn.slice(0, 4));
  const grades: number[] = [];
  for (let g = p.gradeTo; g >= p.gradeFrom; g -= 1) grades.push(g);
  const band = p.gradeFrom === p.gradeTo ? `grade ${p.gradeFrom}` : `grades ${p.gradeFrom}–${p.gradeTo}`;
  const bandWords = p.gradeWords ? ` (${p.gradeWords})` : '';

  // Serialise with every other writer of this teacher and of these slots (see above).
  await trx(db.t('teacher_scope')).where('teacher_id', teacherId).forUpdate().first();
  await trx(db.t('post_plan'))
    .where({ org_id: p.schoolId, year, category })
    .whereBetween('grade', [p.gradeFrom, p.gradeTo])
    .orderBy('grade')
    .forUpdate()
    .select('grade');

  const employment = await activeEmployment(trx, db, teacherId, p.startsOn);
  if (employment?.orgId !== p.schoolId) {
    return refuse(`The teacher is not employed by ${p.schoolId} on ${p.startsOn}, so that school has no post to appoint them to.`);
  }
  const current = await overlappingAppointment(trx, db, teacherId, p.startsOn, null);
  if (current && current.startsOn >= p.startsOn) {
    return refuse(`The teacher already holds a ${current.category} grade ${current.grade} post from ${current.startsOn}; the new post cannot start on ${p.startsOn}.`);
  }
  const counts = [];
  for (const grade of grades) {
    const slot = await slotCounts(trx, db, { orgId: p.schoolId, category, grade, on: p.startsOn });
    // The teacher's own post in the band is handed over, not kept: it does not block their new one.
    const own = current && current.category === category && current.grade === grade ? 1 : 0;
    counts.push({ grade, ceiling: slot.ceiling, occupied: slot.occupied - own });
  }
  const free = counts.find((c) => c.occupied < c.ceiling);
  if (!free) {
    const planned = counts.filter((c) => c.ceiling > 0);
    return refuse(
      planned.length === 0
        ? `${p.schoolId}'s ${year} post plan has no professional-technical posts of ${band}${bandWords}, so there is no post to appoint the title into.`
        : `Every professional-technical post of ${band}${bandWords} at ${p.schoolId} is taken on ${p.startsOn} (${planned
            .sort((a, b) => a.grade - b.grade)
            .map((c) => `grade ${c.grade}: ${c.occupied} of ${c.ceiling} taken`)
            .join('; ')}); the title can be appointed when a post is free.`,
    );
  }
  if (current) {
    await trx(db.t('post_appointment'))
      .where('id', current.id)
      .update({ ends_on: dayBefore(p.startsOn), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
  }
  const appointment = await insertAppointment(trx, db, { id: randomUUID(), teacherId, orgId: p.schoolId, category, grade: free.grade, startsOn: p.startsOn, endsOn: null });
  return answer({ outcome: 'appointed', appointmentId: appointment.id, category, grade: free.grade, startsOn: p.startsOn });
};
