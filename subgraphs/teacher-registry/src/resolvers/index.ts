import { DateScalar } from '../../../shared/src/scalars';
import { ChangeRequest, ChangeRequestStatus, ImportFileFormat } from './ChangeRequest';
import { Account, AccountMutations, AccountQueries, AccountStatus } from './Account';
import { Mutation } from './Mutation';
import { Locale, OrgLevel, OrgUnit, OrgUnitStatistics, SchoolStage } from './OrgUnit';
import { Query } from './Query';
import { ArchiveRecordStatus, Gender, SubRecordTypes, Teacher, TeacherStatus } from './Teacher';
import { Viewer } from './Viewer';

export const resolvers = {
  Date: DateScalar,
  Query: { ...Query, ...AccountQueries },
  Mutation: { ...Mutation, ...AccountMutations },
  Account,
  AccountStatus,
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
