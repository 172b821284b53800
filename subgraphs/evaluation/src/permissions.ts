import { allow, or, type IRules } from 'graphql-shield';
import { hasPartnerScope, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';

const canReadAssessments = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  Teacher: { id: allow, annualAssessments: canReadAssessments },
  AnnualAssessment: allow,
  OrgUnit: { id: allow },
};
