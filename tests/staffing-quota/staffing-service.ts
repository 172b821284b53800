import { staffingQuota } from '../../subgraphs/staffing-quota/src/index';
import { startSubgraphAlone, type SubgraphAlone } from '../helpers/subgraph-alone';

/** The staffing-quota subgraph alone (see helpers/subgraph-alone.ts). */
export type StaffingService = SubgraphAlone;
export const startStaffing = () => startSubgraphAlone(staffingQuota);
export { TEACHER_ENTITIES, teacherReps } from '../helpers/subgraph-alone';

export const outboxOf = (service: StaffingService, type: string) =>
  service.server.db.knex(service.server.db.t('outbox')).where('type', type).orderBy('id');
