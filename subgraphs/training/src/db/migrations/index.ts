import type { SchemaMigration } from '../../../../shared/src/db';
import { createTrainingRecords } from './20261128100000_create_training_records';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createTrainingRecords];
