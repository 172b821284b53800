import type { SchemaMigration } from '../../../../shared/src/db';
import { createIdempotencyRecordTable, dropIdempotencyRecordTable } from '../../../../shared/src/idempotency-record';

/** Idempotency keys recorded in the write's own transaction (shared/src/idempotency-record.ts). */
export const idempotencyRecord: SchemaMigration = {
  name: '20261129600000_idempotency_record',
  up: (knex, schema) => createIdempotencyRecordTable(knex, schema),
  down: (knex, schema) => dropIdempotencyRecordTable(knex, schema),
};
