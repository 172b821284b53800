import { createAuditAppendFunction, dropAuditAppendFunction } from '../../../../shared/src/audit';
import type { SchemaMigration } from '../../../../shared/src/db';

/** The audit trail's append as one statement (audit.ts, createAuditAppendFunction): same lock, same hash chain. */
export const auditAppendFunction: SchemaMigration = {
  name: '20261130800000_audit_append_function',
  up: (knex, schema) => createAuditAppendFunction(knex, schema),
  down: (knex, schema) => dropAuditAppendFunction(knex, schema),
};
