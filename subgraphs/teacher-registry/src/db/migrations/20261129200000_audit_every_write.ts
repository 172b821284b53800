import { addAuditTrailColumns, dropAuditTrailColumns } from '../../../../shared/src/audit';
import type { SchemaMigration } from '../../../../shared/src/db';

/** Every write and sensitive read is audited now: the actor's organisation path scopes auditors. */
export const auditEveryWrite: SchemaMigration = {
  name: '20261129200000_audit_every_write',
  up: (knex, schema) => addAuditTrailColumns(knex, schema),
  down: (knex, schema) => dropAuditTrailColumns(knex, schema),
};
