import { addAuditTrailColumns, createAuditTable, dropAuditTable } from '../../../../shared/src/audit';
import type { SchemaMigration } from '../../../../shared/src/db';

/** The hash-chained, append-only audit trail of every write and sensitive read in this service. */
export const createAuditLog: SchemaMigration = {
  name: '20261129200000_create_audit_log',
  up: async (knex, schema) => {
    await createAuditTable(knex, schema);
    await addAuditTrailColumns(knex, schema);
  },
  down: (knex, schema) => dropAuditTable(knex, schema),
};
