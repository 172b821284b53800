import type { SchemaMigration } from '../../../../shared/src/db';
import { createOrgUnitAndTeacher } from './20261128100000_create_org_unit_and_teacher';
import { createEventTablesMigration } from './20261128110000_create_event_tables';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createOrgUnitAndTeacher, createEventTablesMigration];
