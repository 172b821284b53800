import type { SchemaMigration } from '../../../../shared/src/db';
import { createOrgUnitAndTeacher } from './20261128100000_create_org_unit_and_teacher';
import { createEventTablesMigration } from './20261128110000_create_event_tables';
import { archiveSubRecordsAndChangeReview } from './20261128120000_archive_sub_records_and_change_review';
import { createAuditLog } from './20261128160000_create_audit_log';
import { auditEveryWrite } from './20261129200000_audit_every_write';
import { accounts } from './20261129200100_accounts';
import { teacherPay } from './20261129400000_teacher_pay';
import { payBandRollup } from './20261129400100_pay_band_rollup';
import { headcountRollup } from './20261129500000_headcount_rollup';
import { headcountRollupProvinces } from './20261129500100_headcount_rollup_provinces';
import { headcountRollupFaster } from './20261129500200_headcount_rollup_faster';
import { idempotencyRecord } from './20261129600000_idempotency_record';
import { teacherImportUploads } from './20261130300000_teacher_import_uploads';
import { payBandMarksLock } from './20261130500000_pay_band_marks_lock';
import { payBandRollupProvinces } from './20261130500100_pay_band_rollup_provinces';
import { auditAppendFunction } from './20261130800000_audit_append_function';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createOrgUnitAndTeacher, createEventTablesMigration, archiveSubRecordsAndChangeReview, createAuditLog, auditEveryWrite, accounts, teacherPay, payBandRollup, headcountRollup, headcountRollupProvinces, headcountRollupFaster, idempotencyRecord, teacherImportUploads, payBandMarksLock, payBandRollupProvinces, auditAppendFunction];
