import { teacherScopeEventHandlers, type EventHandler, type EventHandlers } from '../../shared/src/events';
import { provinceOfPath } from './domain/credit-rules';
import { bankUnbankedRecords } from './repositories/credit-bank';
import { convertOnProvinceChange } from './repositories/credit-operations';

interface AffiliationChanged {
  teacherId: string;
  orgPath: string;
  effectiveOn?: string;
}

const updateScope = teacherScopeEventHandlers['teacher.affiliation-changed'] as EventHandler;

/**
 * A move keeps the teacher_scope projection current (shared handler). A move to another province
 * also re-expresses the running cycle's credits under the new province's rules, in the same
 * transaction as the event's inbox row, so a redelivery converts nothing twice.
 */
const onAffiliationChanged: EventHandler<AffiliationChanged> = async (context) => {
  const { trx, db, event } = context;
  const before = (await trx(db.t('teacher_scope')).first('org_path as orgPath').where('teacher_id', event.payload.teacherId)) as { orgPath: string } | undefined;
  await updateScope(context);
  const after = (await trx(db.t('teacher_scope')).first('org_path as orgPath').where('teacher_id', event.payload.teacherId)) as { orgPath: string } | undefined;
  if (!before || !after || provinceOfPath(before.orgPath) === provinceOfPath(after.orgPath)) return;
  const effectiveOn = event.payload.effectiveOn ?? event.occurredAt.slice(0, 10);
  const converted = await convertOnProvinceChange(trx, db, event.payload.teacherId, provinceOfPath(after.orgPath), effectiveOn);
  context.logger.info({ teacherId: event.payload.teacherId, converted }, 'credits re-expressed under the new province');
};

const registerScope = teacherScopeEventHandlers['teacher.registered'] as EventHandler;

/** Records that arrived before their teacher was known (imported data) are banked once the province is. */
const onRegistered: EventHandler<{ teacherId: string }> = async (context) => {
  await registerScope(context);
  await bankUnbankedRecords(context.trx, context.db, 'event:teacher.registered', context.event.payload.teacherId);
};

export const eventHandlers: EventHandlers = {
  ...teacherScopeEventHandlers,
  'teacher.registered': onRegistered,
  'teacher.affiliation-changed': onAffiliationChanged,
};
