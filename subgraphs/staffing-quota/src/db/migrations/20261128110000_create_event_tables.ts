import type { SchemaMigration } from '../../../../shared/src/db';
import { createEventTables, dropEventTables } from '../../../../shared/src/events';

/** Transactional outbox and processed-event inbox (see shared/src/events.ts). */
export const createEventTablesMigration: SchemaMigration = {
  name: '20261128110000_create_event_tables',
  up: (knex, schema) => createEventTables(knex, schema),
  down: (knex, schema) => dropEventTables(knex, schema),
};
