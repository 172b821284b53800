import type { SchemaMigration } from '../../../../shared/src/db';
import { createAnnualAssessment } from './20261128100000_create_annual_assessment';
import { createEventTablesMigration } from './20261128110000_create_event_tables';
import { assessmentEntryAndEthicsLedger } from './20261128120000_assessment_entry_and_ethics_ledger';
import { qualificationRegistration } from './20261128130000_qualification_registration';
import { titleReview } from './20261128140000_title_review';
import { awards } from './20261128150000_awards';
import { titlePostAndTrainingSummary } from './20261129100000_title_post_and_training_summary';
import { createAuditLog } from './20261129200000_create_audit_log';
import { idempotencyRecord } from './20261129600000_idempotency_record';
import { teacherScopeStatus } from './20261130700000_teacher_scope_status';
import { auditAppendFunction } from './20261130800000_audit_append_function';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createAnnualAssessment, createEventTablesMigration, assessmentEntryAndEthicsLedger, qualificationRegistration, titleReview, awards, titlePostAndTrainingSummary, createAuditLog, idempotencyRecord, teacherScopeStatus, auditAppendFunction];
