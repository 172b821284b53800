import { allow, or, type IRules } from 'graphql-shield';
import { hasPartnerScope, isAdmin, isAnalyst, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';

/** Quota balances are aggregates: administrators and analysts of the subtree (rows scoped in SQL). */
const canReadQuota = or(isAdmin, isAnalyst);
const canReadEmployment = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  OrgUnit: { id: allow, staffingQuota: canReadQuota },
  StaffingQuotaBalance: allow,
  Teacher: { id: allow, employments: canReadEmployment },
  Employment: allow,
};
