import { createAuditTable, dropAuditTable } from '../../../../shared/src/audit';
import type { SchemaMigration } from '../../../../shared/src/db';

/** Hash-chained, append-only audit trail (revealing personal details is audited here). */
export const createAuditLog: SchemaMigration = {
  name: '20261128160000_create_audit_log',
  up: (knex, schema) => createAuditTable(knex, schema),
  down: (knex, schema) => dropAuditTable(knex, schema),
};
