import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapToMany } from '../../shared/src/loaders';
import { createTeacherScopeLoader } from '../../shared/src/projections';
import { findAssessmentsByTeacherIds, type AnnualAssessmentRow } from './repositories/assessments';
import { findRegistrationsByTeacherIds, type RegistrationRow } from './repositories/registrations';
import { auditEthicsAccess, findEthicsEntriesByTeacherIds, type EthicsEntryRow } from './repositories/ethics';

export function createLoaders(db: Db, viewer: Viewer) {
  return {
    teacherById: createTeacherScopeLoader(db, viewer),
    assessmentsByTeacherId: new DataLoader<string, AnnualAssessmentRow[]>(async (ids) =>
      mapToMany(ids, await findAssessmentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    // Two statements per batch whatever the page size: the audit insert first (no audit, no read), then the read.
    ethicsEntriesByTeacherId: new DataLoader<string, EthicsEntryRow[]>(async (ids) => {
      await auditEthicsAccess(db.knex, db, viewer, ids, 'read_entries');
      return mapToMany(ids, await findEthicsEntriesByTeacherIds(db.knex, db, ids), (r) => r.teacherId);
    }),
    ethicsBanFactsByTeacherId: new DataLoader<string, EthicsEntryRow[]>(async (ids) => {
      await auditEthicsAccess(db.knex, db, viewer, ids, 'read_bans');
      return mapToMany(ids, await findEthicsEntriesByTeacherIds(db.knex, db, ids), (r) => r.teacherId);
    }),
    registrationsByTeacherId: new DataLoader<string, RegistrationRow[]>(async (ids) =>
      mapToMany(ids, await findRegistrationsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    // Registration reads the ethics ledger too: audited as its own kind of access.
    ethicsForRegistrationByTeacherId: new DataLoader<string, EthicsEntryRow[]>(async (ids) => {
      await auditEthicsAccess(db.knex, db, viewer, ids, 'read_for_registration');
      return mapToMany(ids, await findEthicsEntriesByTeacherIds(db.knex, db, ids), (r) => r.teacherId);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
