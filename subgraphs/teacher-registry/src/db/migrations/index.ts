import type { SchemaMigration } from '../../../../shared/src/db';
import { createOrgUnitAndTeacher } from './20261128100000_create_org_unit_and_teacher';

/** Append-only, in timestamp order. */
export const migrations: readonly SchemaMigration[] = [createOrgUnitAndTeacher];
