import type { EventHandler, EventHandlers } from '../../shared/src/events';
import { teacherScopeEventHandlers } from '../../shared/src/events';

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

export const eventHandlers: EventHandlers = {
  ...teacherScopeEventHandlers,
  'staffing.rotation-completed': rememberRotation,
};
