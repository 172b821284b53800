import type { SchemaMigration } from '../../../../shared/src/db';
import { createTrainingRecords } from './20261128100000_create_training_records';
import { createEventTablesMigration } from './20261128110000_create_event_tables';
import { createCreditRulesAndBank } from './20261128120000_create_credit_rules_and_bank';
import { bankExistingTrainingRecords } from './20261128120100_bank_existing_training_records';
import { createCatalogueAndDeclarations } from './20261128120200_create_catalogue_and_declarations';
import { declarationOrganiser } from './20261128120300_declaration_organiser';
import { createAuditLog } from './20261129200000_create_audit_log';
import { idempotencyRecord } from './20261129600000_idempotency_record';
import { trainingCompletionRollup } from './20261130100000_training_completion_rollup';
import { trainingCompletionMarksLock } from './20261130100100_training_completion_marks_lock';
import { teacherScopeStatus } from './20261130700000_teacher_scope_status';
import { auditAppendFunction } from './20261130800000_audit_append_function';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [
  createTrainingRecords,
  createEventTablesMigration,
  createCreditRulesAndBank,
  bankExistingTrainingRecords,
  createCatalogueAndDeclarations,
  declarationOrganiser,
  createAuditLog,
  idempotencyRecord,
  trainingCompletionRollup,
  trainingCompletionMarksLock,
  teacherScopeStatus,
  auditAppendFunction,
];
