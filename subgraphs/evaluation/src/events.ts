import type { EventHandler, EventHandlers } from '../../shared/src/events';
import { enqueueEvent, EVENT_TYPES, teacherScopeEventHandlers } from '../../shared/src/events';
import type { TrainingSummaryFact } from './domain/training';
import { upsertTrainingSummaries } from './repositories/training-summary';

interface RotationCompletedPayload {
  rotationId: string;
  teacherId: string;
  homeOrgId: string;
  hostOrgId: string;
  kind: string;
  startsOn: string;
  endsOn: string;
}

/**
 * Staffing-quota owns rotations; evaluation keeps only what it needs to know which school assesses
 * a teacher in a year (the receiving school during a rotation). Replays overwrite with the same facts.
 */
const rememberRotation: EventHandler<RotationCompletedPayload> = async ({ trx, db, event }) => {
  const p = event.payload;
  await trx(db.t('rotation_projection'))
    .insert({
      rotation_id: p.rotationId,
      teacher_id: p.teacherId,
      home_org_id: p.homeOrgId,
      host_org_id: p.hostOrgId,
      kind: p.kind,
      starts_on: p.startsOn,
      ends_on: p.endsOn,
      updated_at: event.occurredAt,
    })
    .onConflict('rotation_id')
    .merge();
};

interface TitlePostDecidedPayload {
  applicationId: string;
  teacherId: string;
  outcome: 'appointed' | 'refused';
  grade?: number;
  reason?: string;
}

/**
 * Staffing-quota's answer to a title appointment (services/title-review.ts appointTitle). Only an
 * application still waiting for it changes: a stray or repeated answer finds another stage and is
 * ignored. A taken post completes the appointment and sends the title to the registry's archive in
 * the same transaction; a refusal keeps the application open as SLOT_REFUSED with staffing's words.
 */
const applyTitlePostDecision: EventHandler<TitlePostDecidedPayload> = async ({ trx, db, event, logger }) => {
  const p = event.payload;
  if (typeof p.applicationId !== 'string' || !/^[0-9a-f-]{36}$/i.test(p.applicationId) || (p.outcome !== 'appointed' && p.outcome !== 'refused')) {
    // Acknowledged and logged: failing it would only have it redelivered forever.
    logger.warn({ eventId: event.id, payload: p }, 'malformed title post decision ignored');
    return;
  }
  const row = (await trx(db.t('title_application'))
    .first('id', 'teacher_id as teacherId', 'target_title as targetTitle', 'stage', 'appointed_on as appointedOn', 'document_ref as documentRef')
    .where('id', p.applicationId)
    .forUpdate()) as { id: string; teacherId: string; targetTitle: string; stage: string; appointedOn: string; documentRef: string } | undefined;
  if (!row || row.stage !== 'appointment_pending') {
    logger.warn({ eventId: event.id, applicationId: p.applicationId, stage: row?.stage }, 'title post decision for an application not waiting for one; ignored');
    return;
  }
  const bump = { version: trx.raw('version + 1'), updated_at: trx.fn.now() };
  if (p.outcome === 'appointed') {
    await trx(db.t('title_application')).where('id', row.id).update({ stage: 'appointed', post_grade: p.grade ?? null, slot_refused_reason: null, ...bump });
    // The archive learns the new title through the registry's intake (transactional outbox).
    await enqueueEvent(trx, db, {
      type: EVENT_TYPES.TITLE_AWARDED,
      payload: { teacherId: row.teacherId, title: row.targetTitle, awardedOn: row.appointedOn, documentRef: row.documentRef },
    });
  } else {
    await trx(db.t('title_application'))
      .where('id', row.id)
      .update({ stage: 'slot_refused', slot_refused_reason: (p.reason ?? 'Staffing-quota found no free post for the title.').slice(0, 1000), ...bump });
  }
};

/**
 * Training's verdicts per teacher and cycle (training/src/cycle-summary-events.ts), kept so that
 * registration can read the cycle being decided and award nominations can enforce the training gate
 * (a mutation cannot use @requires). Malformed entries are skipped and logged rather than failing
 * the event, which would only be redelivered forever.
 */
const rememberTrainingSummaries: EventHandler<{ summaries?: unknown }> = async ({ trx, db, event, logger }) => {
  const list = Array.isArray(event.payload.summaries) ? (event.payload.summaries as Record<string, unknown>[]) : [];
  const date = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const byKey = new Map<string, TrainingSummaryFact & { teacherId: string }>();
  for (const s of list) {
    const ok = typeof s.teacherId === 'string' && /^[0-9a-f-]{36}$/i.test(s.teacherId) && typeof s.cycleId === 'string' && date(s.startsOn) && date(s.endsOn) &&
      typeof s.provinceCode === 'string' && num(s.hours) && num(s.credits) && num(s.requiredHours) && num(s.requiredCredits) && typeof s.isMet === 'boolean';
    if (!ok) {
      logger.warn({ eventId: event.id, entry: s }, 'malformed training cycle summary skipped');
      continue;
    }
    const fact = s as unknown as TrainingSummaryFact & { teacherId: string };
    byKey.set(`${fact.teacherId}/${fact.startsOn}/${fact.endsOn}`, fact);
  }
  await upsertTrainingSummaries(trx, db, [...byKey.values()], event.occurredAt);
};

export const eventHandlers: EventHandlers = {
  ...teacherScopeEventHandlers,
  'staffing.rotation-completed': rememberRotation,
  'staffing.title-post-decided': applyTitlePostDecision,
  'training.cycle-summaries-changed': rememberTrainingSummaries,
};
