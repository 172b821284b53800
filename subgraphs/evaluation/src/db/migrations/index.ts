import type { SchemaMigration } from '../../../../shared/src/db';
import { createAnnualAssessment } from './20261128100000_create_annual_assessment';
import { createEventTablesMigration } from './20261128110000_create_event_tables';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createAnnualAssessment, createEventTablesMigration];
