import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { enqueueEvent, type EventHandler, type EventHandlers, type PlatformEvent, type TeacherStatusChanged } from '../../../shared/src/events';
import { normaliseUuid } from '../../../shared/src/ids';
import type { Logger } from '../../../shared/src/logger';
import { isIsoDate } from '../../../shared/src/scalars';
import { AWARD_LEVEL, TITLE, codeFromCodeOrLabel } from '../domain/code-sets';
import { writeChangeLog } from '../repositories/change-requests';
import { lockTeacher, type ProvenanceEntry } from '../repositories/teachers';

/**
 * Accompanying collection (伴随式收集): facts produced elsewhere land in the archive with their
 * provenance (source system, producer reference, verified, on the event's authority). The intake
 * records each event id in the same transaction (shared/src/events.ts), so a replay is a no-op;
 * sub-record rows also carry a unique (source_system, source_ref), so even a re-sent fact under a
 * new event id adds nothing twice.
 */
interface TransferCompleted {
  transferId: string;
  teacherId: string;
  kind: 'new_hire' | 'transfer_within_province' | 'transfer_across_provinces' | 'leave' | 'retire';
  fromOrgId: string | null;
  toOrgId: string | null;
  effectiveOn: string;
}
interface RotationCompleted {
  rotationId: string;
  teacherId: string;
  homeOrgId: string;
  hostOrgId: string;
  kind: string;
  startsOn: string;
  endsOn: string | null;
}
interface TitleAwarded {
  teacherId: string;
  title: string;
  awardedOn: string;
  documentRef: string | null;
}
interface AwardGranted {
  teacherId: string;
  awardName: string;
  level: string;
  issuer: string | null;
  awardedOn: string;
  documentRef: string | null;
}

/**
 * A malformed payload can never succeed: retrying it forever would block nothing but fill the logs,
 * so it is acknowledged, logged for the producer's team, and leaves the archive untouched.
 */
function malformed(event: PlatformEvent<unknown>, logger: Logger, checks: Record<string, boolean>): boolean {
  const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([field]) => field);
  if (failed.length) logger.warn({ eventId: event.id, type: event.type, fields: failed }, 'malformed event payload ignored');
  return failed.length > 0;
}
const isDate = (value: unknown) => typeof value === 'string' && isIsoDate(value);
const isOptionalDate = (value: unknown) => value == null || isDate(value);
const isUuid = (value: unknown) => typeof value === 'string' && normaliseUuid(value) === value.toLowerCase();
const isText = (value: unknown, max = 200) => typeof value === 'string' && value.trim() !== '' && [...value].length <= max;

const authorityOf = (event: PlatformEvent<unknown>) => `event:${event.type}:${event.id}`;
const actorOf = (event: PlatformEvent<unknown>) => ({ actor: event.source, actor_role: 'system', source_system: event.source, authority: authorityOf(event) });
const provenanceOf = (event: PlatformEvent<unknown>): ProvenanceEntry => ({ enteredBy: event.source, role: 'system', source: event.source, verified: true, authority: authorityOf(event), at: event.occurredAt });

function subRecordProvenance(event: PlatformEvent<unknown>, sourceRef: string) {
  return { id: randomUUID(), source_system: event.source, source_ref: sourceRef, entered_by: event.source, entered_role: 'system', verified: true };
}

/** Inserts a sub-record unless the producer already delivered this fact; true when inserted. */
async function insertOnce(trx: Knex.Transaction, db: Db, table: string, row: Record<string, unknown>): Promise<boolean> {
  const inserted = await trx(db.t(table)).insert(row).onConflict(['source_system', 'source_ref']).ignore().returning('id');
  return inserted.length > 0;
}

const transferCompleted: EventHandler<TransferCompleted> = async ({ trx, db, event, logger }) => {
  const p = event.payload;
  if (malformed(event, logger, { transferId: isText(p.transferId), teacherId: isUuid(p.teacherId), effectiveOn: isDate(p.effectiveOn), kind: isText(p.kind) })) return;
  const teacher = await lockTeacher(trx, db, p.teacherId);
  if (!teacher) {
    // Not ours (yet): acknowledging is right, retrying would never succeed. Logged for follow-up.
    logger.warn({ eventId: event.id, teacherId: p.teacherId }, 'transfer for an unknown teacher ignored');
    return;
  }
  const sourceRef = `transfer:${p.transferId}`;
  const already = await trx(db.t('teacher_work_history')).where({ source_system: event.source, source_ref: sourceRef }).first('id');
  if (already) return;

  // Close the open work-history row: the archive moves with the person, only the affiliation changes.
  await trx(db.t('teacher_work_history')).where('teacher_id', teacher.id).whereNull('ends_on').where('starts_on', '<=', p.effectiveOn).update({ ends_on: p.effectiveOn, updated_at: trx.fn.now() });

  const leaving = p.kind === 'leave' || p.kind === 'retire';
  const target = !leaving && p.toOrgId ? await trx(db.t('org_unit')).select('id', 'name', 'path', 'level').where('id', p.toOrgId).first() : undefined;
  const provenance = { ...teacher.provenance };
  const patch: Record<string, unknown> = {};
  const logs: Parameters<typeof writeChangeLog>[2] = [];

  if (target && target.level === 'school') {
    patch.school_id = target.id;
    patch.org_path = target.path;
    patch.joined_school_on = p.effectiveOn;
    patch.status = 'active';
    provenance.schoolId = provenanceOf(event);
    provenance.joinedSchoolOn = provenanceOf(event);
    await insertOnce(trx, db, 'teacher_work_history', {
      ...subRecordProvenance(event, sourceRef),
      teacher_id: teacher.id,
      starts_on: p.effectiveOn,
      org_name: target.name,
      org_id: target.id,
      position: '教师',
    });
    logs.push({ teacher_id: teacher.id, action: 'transferred', field: 'schoolId', before: teacher.schoolId, after: target.id, ...actorOf(event), comment: p.kind });
  } else {
    const status = p.kind === 'retire' ? 'retired' : p.kind === 'leave' ? 'left' : 'transferred_out';
    patch.status = status;
    provenance.status = provenanceOf(event);
    // Still record the fact, so the history shows the move even when the receiver is outside the tree.
    await insertOnce(trx, db, 'teacher_work_history', {
      ...subRecordProvenance(event, sourceRef),
      teacher_id: teacher.id,
      starts_on: p.effectiveOn,
      ends_on: p.effectiveOn,
      org_name: leaving ? (p.kind === 'retire' ? '退休' : '离职') : `调出至 ${p.toOrgId ?? '本系统外单位'}`,
      org_id: p.toOrgId && /^\d{6,10}$/.test(p.toOrgId) ? p.toOrgId : null,
      position: null,
    });
    logs.push({ teacher_id: teacher.id, action: 'transferred', field: 'status', before: teacher.status, after: status, ...actorOf(event), comment: p.kind });
  }
  await trx(db.t('teacher'))
    .where('id', teacher.id)
    .update({ ...patch, provenance: JSON.stringify(provenance), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
  await writeChangeLog(trx, db, logs);
  if (patch.org_path && patch.org_path !== teacher.orgPath) {
    await enqueueEvent(trx, db, {
      type: 'teacher.affiliation-changed',
      payload: { teacherId: teacher.id, fromSchoolId: teacher.schoolId, toSchoolId: patch.school_id, fromOrgPath: teacher.orgPath, orgPath: patch.org_path, effectiveOn: p.effectiveOn },
    });
  }
  // Retired, left, transferred out (or back to active): the other subgraphs' scope follows, same transaction.
  if (patch.status !== teacher.status) {
    const statusChanged: TeacherStatusChanged = {
      teacherId: teacher.id,
      status: patch.status as TeacherStatusChanged['status'],
      previousStatus: teacher.status,
      effectiveOn: p.effectiveOn,
      orgPath: (patch.org_path as string | undefined) ?? teacher.orgPath,
    };
    await enqueueEvent(trx, db, { type: 'teacher.status-changed', payload: { ...statusChanged } });
  }
};

const rotationCompleted: EventHandler<RotationCompleted> = async ({ trx, db, event, logger }) => {
  const p = event.payload;
  const valid = { rotationId: isText(p.rotationId), teacherId: isUuid(p.teacherId), homeOrgId: isText(p.homeOrgId, 10), hostOrgId: isText(p.hostOrgId, 10), kind: isText(p.kind, 50), startsOn: isDate(p.startsOn), endsOn: isOptionalDate(p.endsOn) };
  if (malformed(event, logger, valid)) return;
  const teacher = await lockTeacher(trx, db, p.teacherId);
  if (!teacher) return logger.warn({ eventId: event.id, teacherId: p.teacherId }, 'rotation for an unknown teacher ignored');
  const inserted = await insertOnce(trx, db, 'teacher_rotation', {
    ...subRecordProvenance(event, `rotation:${p.rotationId}`),
    teacher_id: teacher.id,
    home_org_id: p.homeOrgId,
    host_org_id: p.hostOrgId,
    kind: p.kind,
    starts_on: p.startsOn,
    ends_on: p.endsOn ?? null,
  });
  if (inserted) {
    await writeChangeLog(trx, db, [{ teacher_id: teacher.id, action: 'rotation_recorded', after: { hostOrgId: p.hostOrgId, startsOn: p.startsOn, endsOn: p.endsOn }, ...actorOf(event) }]);
  }
};

const titleAwarded: EventHandler<TitleAwarded> = async ({ trx, db, event, logger }) => {
  const p = event.payload;
  if (malformed(event, logger, { teacherId: isUuid(p.teacherId), title: isText(p.title, 30), awardedOn: isDate(p.awardedOn), documentRef: p.documentRef == null || isText(p.documentRef) })) return;
  const teacher = await lockTeacher(trx, db, p.teacherId);
  const title = codeFromCodeOrLabel(TITLE, p.title);
  if (!teacher || !title) return logger.warn({ eventId: event.id, teacherId: p.teacherId, title: p.title }, 'title award for an unknown teacher or title ignored');
  const inserted = await insertOnce(trx, db, 'teacher_title_appointment', {
    ...subRecordProvenance(event, `title:${p.documentRef ?? event.id}:${teacher.id}`),
    teacher_id: teacher.id,
    title,
    appointed_on: p.awardedOn,
    document_ref: p.documentRef ?? null,
  });
  if (!inserted) return;
  // Close the previous appointment; the newest award sets the current title.
  await trx(db.t('teacher_title_appointment')).where('teacher_id', teacher.id).whereNull('ends_on').where('appointed_on', '<', p.awardedOn).update({ ends_on: p.awardedOn });
  const provenance = { ...teacher.provenance, title: provenanceOf(event) };
  await trx(db.t('teacher')).where('id', teacher.id).update({ title, provenance: JSON.stringify(provenance), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
  await writeChangeLog(trx, db, [{ teacher_id: teacher.id, action: 'title_awarded', field: 'title', before: teacher.title, after: title, ...actorOf(event), comment: p.documentRef ?? null }]);
};

const awardGranted: EventHandler<AwardGranted> = async ({ trx, db, event, logger }) => {
  const p = event.payload;
  const valid = { teacherId: isUuid(p.teacherId), awardName: isText(p.awardName), level: isText(p.level, 30), awardedOn: isDate(p.awardedOn), issuer: p.issuer == null || isText(p.issuer), documentRef: p.documentRef == null || isText(p.documentRef) };
  if (malformed(event, logger, valid)) return;
  const teacher = await lockTeacher(trx, db, p.teacherId);
  if (!teacher) return logger.warn({ eventId: event.id, teacherId: p.teacherId }, 'award for an unknown teacher ignored');
  const inserted = await insertOnce(trx, db, 'teacher_award', {
    ...subRecordProvenance(event, `award:${p.documentRef ?? event.id}:${teacher.id}`),
    teacher_id: teacher.id,
    award_name: p.awardName,
    level: codeFromCodeOrLabel(AWARD_LEVEL, p.level) ?? p.level,
    issuer: p.issuer ?? null,
    awarded_on: p.awardedOn,
    document_ref: p.documentRef ?? null,
  });
  if (inserted) {
    await writeChangeLog(trx, db, [{ teacher_id: teacher.id, action: 'award_granted', after: { awardName: p.awardName, level: p.level }, ...actorOf(event), comment: p.documentRef ?? null }]);
  }
};

export const eventHandlers: EventHandlers = {
  'staffing.transfer-completed': transferCompleted,
  'staffing.rotation-completed': rotationCompleted,
  'evaluation.title-awarded': titleAwarded,
  'evaluation.award-granted': awardGranted,
};
