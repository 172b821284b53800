import { DateScalar } from '../../../shared/src/scalars';
import { ChangeRequest, ChangeRequestStatus, ImportFileFormat } from './ChangeRequest';
import { Mutation } from './Mutation';
import { Locale, OrgLevel, OrgUnit, OrgUnitStatistics, SchoolStage } from './OrgUnit';
import { Query } from './Query';
import { ArchiveRecordStatus, Gender, SubRecordTypes, Teacher, TeacherStatus } from './Teacher';
import { Viewer } from './Viewer';

export const resolvers = {
  Date: DateScalar,
  Query,
  Mutation,
  OrgUnit,
  OrgUnitStatistics,
  Teacher,
  ChangeRequest,
  Viewer,
  ...SubRecordTypes,
  Gender,
  OrgLevel,
  SchoolStage,
  Locale,
  TeacherStatus,
  ArchiveRecordStatus,
  ChangeRequestStatus,
  ImportFileFormat,
};
