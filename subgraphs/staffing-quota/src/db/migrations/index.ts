import type { SchemaMigration } from '../../../../shared/src/db';
import { createQuotaAndEmployment } from './20261128100000_create_quota_and_employment';
import { createEventTablesMigration } from './20261128110000_create_event_tables';
import { createStandardsPostsTransfersRotation } from './20261128120000_create_standards_posts_transfers_rotation';
import { addLookupIndexes } from './20261128130000_add_lookup_indexes';
import { titlePostsAndApprovedLeave } from './20261129100000_title_posts_and_approved_leave';
import { createAuditLog } from './20261129200000_create_audit_log';
import { quotaRollup } from './20261129500000_quota_rollup';
import { idempotencyRecord } from './20261129600000_idempotency_record';
import { forecastRollup } from './20261130600000_forecast_rollup';
import { teacherScopeStatus } from './20261130700000_teacher_scope_status';
import { auditAppendFunction } from './20261130800000_audit_append_function';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createQuotaAndEmployment, createEventTablesMigration, createStandardsPostsTransfersRotation, addLookupIndexes, titlePostsAndApprovedLeave, createAuditLog, quotaRollup, idempotencyRecord, forecastRollup, teacherScopeStatus, auditAppendFunction];
