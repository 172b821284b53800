import type { SchemaMigration } from '../../../../shared/src/db';
import { createTrainingRecords } from './20261128100000_create_training_records';
import { createEventTablesMigration } from './20261128110000_create_event_tables';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createTrainingRecords, createEventTablesMigration];
