import type { SchemaMigration } from '../../../../shared/src/db';
import { createAnnualAssessment } from './20261128100000_create_annual_assessment';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createAnnualAssessment];
