import { DateScalar } from '../../../shared/src/scalars';
import * as enums from './enums';
import { Mutation } from './Mutation';
import { OrgUnit } from './OrgUnit';
import { Query } from './Query';
import { CourseEnrolment, CreditApplication, CreditDeclaration, CreditLedgerEntry, TrainingCourse, TrainingProgramme } from './Records';
import { Teacher } from './Teacher';

export const resolvers = {
  Date: DateScalar,
  Query,
  Mutation,
  Teacher,
  OrgUnit,
  TrainingProgramme,
  TrainingCourse,
  CourseEnrolment,
  CreditDeclaration,
  CreditApplication,
  CreditLedgerEntry,
  ...enums,
};
