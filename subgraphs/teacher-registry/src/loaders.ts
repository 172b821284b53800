import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapTo, mapToMany } from '../../shared/src/loaders';
import { findOrgUnitsByIds, findOrgUnitsByParentIds, type OrgUnitRow } from './repositories/org-units';
import { findTeachersByIds, type TeacherRow } from './repositories/teachers';

/** Built fresh for every request: caches never outlive one viewer's request. */
export function createLoaders(db: Db, viewer: Viewer) {
  return {
    orgUnitById: new DataLoader<string, OrgUnitRow | null>(async (ids) => mapTo(ids, await findOrgUnitsByIds(db, ids), (r) => r.id)),
    orgUnitsByParentId: new DataLoader<string, OrgUnitRow[]>(async (ids) =>
      mapToMany(ids, await findOrgUnitsByParentIds(db, ids), (r) => r.parentId as string),
    ),
    /** Scoped: a teacher outside the viewer's reach loads as null, also through `_entities`. */
    teacherById: new DataLoader<string, TeacherRow | null>(async (ids) => mapTo(ids, await findTeachersByIds(db, viewer, ids), (r) => r.id)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
