import { DateScalar } from '../../../shared/src/scalars';
import { Mutation } from './Mutation';
import { ExcellentCapStatus, Query } from './Query';
import { AwardLevel, AwardNomination, AwardNominationStage, AwardProgramme } from './Awards';
import { EthicsAccessRecord, UnitCategory } from './Rules';
import { TeacherTitle, TitleApplication, TitleApplicationStage } from './TitleReview';
import { QualificationRegistration, RegistrationStage, RegistrationStatus } from './Registration';
import { AnnualAssessment, AssessmentGrade, EthicsEntryKind, SanctionType, Teacher } from './Teacher';

export const resolvers = { Date: DateScalar, Query, Mutation, Teacher, AnnualAssessment, AssessmentGrade, EthicsEntryKind, SanctionType, ExcellentCapStatus,
  QualificationRegistration, RegistrationStage, RegistrationStatus, TeacherTitle, TitleApplication, TitleApplicationStage,
  AwardLevel, AwardNomination, AwardNominationStage, AwardProgramme, EthicsAccessRecord, UnitCategory };
