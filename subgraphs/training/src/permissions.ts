import { allow, or, type IRules } from 'graphql-shield';
import { hasPartnerScope, isAdmin, isAnalyst, isRecordReaderAdmin, isTeacher, PartnerScope } from '../../shared/src/permissions';

/** Which teachers: decided in SQL through the teacher_scope projection. */
const canReadTraining = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  Query: { currentTrainingCycle: or(isAdmin, isTeacher, isAnalyst, hasPartnerScope(PartnerScope.DOSSIER_READ)) },
  Teacher: { id: allow, trainingProgress: canReadTraining, trainingRecords: canReadTraining },
  TrainingCycle: allow,
  TrainingRecord: allow,
  TrainingCycleProgress: allow,
};
