import { DateScalar } from '../../../shared/src/scalars';
import * as enums from './enums';
import { Mutation } from './Mutation';
import { OrgUnit } from './OrgUnit';
import { Query } from './Query';
import { CourseEnrolment } from './CourseEnrolment';
import { CreditApplication } from './CreditApplication';
import { CreditDeclaration } from './CreditDeclaration';
import { CreditLedgerEntry } from './CreditLedgerEntry';
import { TrainingCourse } from './TrainingCourse';
import { TrainingProgramme } from './TrainingProgramme';
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
