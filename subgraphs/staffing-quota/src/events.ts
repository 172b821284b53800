import { teacherScopeEventHandlers, type EventHandler, type EventHandlers } from '../../shared/src/events';
import { takeTitlePost } from './workflows/title-posts';

interface TeacherRegisteredPayload {
  teacherId: string;
  orgPath: string;
  /** Optional extension of the registry's event: needed for retirement forecasts and rotation age limits. */
  birthDate?: string | null;
  /** GB/T 2261.1 code (1 male, 2 female) or the enum name. */
  gender?: number | string | null;
}

const GENDER_CODES: Record<string, number> = { UNKNOWN: 0, MALE: 1, FEMALE: 2, UNSPECIFIED: 9 };

/**
 * Keeps the teacher_profile projection (birth date, gender) in step with the registry. Events may be
 * redelivered out of order: an older event never overwrites a newer one.
 */
const upsertTeacherProfile: EventHandler<TeacherRegisteredPayload> = async ({ trx, db, event }) => {
  const { teacherId, birthDate, gender } = event.payload;
  if (birthDate === undefined && gender === undefined) return;
  const genderCode = typeof gender === 'string' ? (GENDER_CODES[gender] ?? null) : (gender ?? null);
  await trx.raw(
    `insert into ${db.t('teacher_profile')} as p (teacher_id, birth_date, gender, updated_at) values (?, ?, ?, ?)
       on conflict (teacher_id) do update set birth_date = coalesce(excluded.birth_date, p.birth_date),
         gender = coalesce(excluded.gender, p.gender), updated_at = excluded.updated_at
       where p.updated_at <= excluded.updated_at`,
    [teacherId, birthDate ?? null, genderCode, event.occurredAt],
  );
};

export const eventHandlers: EventHandlers = {
  ...teacherScopeEventHandlers,
  'teacher.registered': async (context) => {
    await teacherScopeEventHandlers['teacher.registered']?.(context);
    await upsertTeacherProfile(context);
  },
  // A title appointment takes a post slot here, where the slots are owned (see workflows/title-posts.ts).
  'evaluation.title-appointment-requested': takeTitlePost,
};
