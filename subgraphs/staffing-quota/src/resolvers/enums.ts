import {
  ContractKind,
  EducationStage,
  Locale,
  PostCategory,
  RotationKind,
  RotationPlanStatus,
  RotationStatus,
  SchoolDesignation,
  TransferKind,
  TransferStatus,
  TransferStep,
} from '../domain/codes';

/** GraphQL enum names mapped to the values stored in the database. */
export const enumResolvers = {
  EducationStage,
  Locale,
  PostCategory,
  ContractKind,
  TransferKind,
  TransferStatus,
  TransferStep,
  RotationKind,
  RotationPlanStatus,
  RotationStatus,
  SchoolDesignation,
};
