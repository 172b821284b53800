import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapTo, mapToMany } from '../../shared/src/loaders';
import { createTeacherScopeLoader } from '../../shared/src/projections';
import { findEmploymentsByTeacherIds, quotaBalances, type EmploymentRow, type QuotaBalanceRow } from './repositories/staffing';

export function createLoaders(db: Db, viewer: Viewer) {
  const balanceLoaders = new Map<number, DataLoader<string, QuotaBalanceRow | null>>();
  return {
    teacherById: createTeacherScopeLoader(db, viewer),
    /** One loader per year, so a list of units asking for the same year is one statement. */
    quotaBalanceByOrgId(year: number) {
      let loader = balanceLoaders.get(year);
      if (!loader) {
        loader = new DataLoader(async (ids) => mapTo(ids, await quotaBalances(db, viewer, ids, year), (r) => r.orgId));
        balanceLoaders.set(year, loader);
      }
      return loader;
    },
    employmentsByTeacherId: new DataLoader<string, EmploymentRow[]>(async (ids) =>
      mapToMany(ids, await findEmploymentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
