import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapTo, mapToMany, settledOrThrow } from '../../shared/src/loaders';
import {
  findChangeLogByRequestIds,
  findChangeLogByTeacherIds,
  findChangeRequestsByIds,
  findChangeRequestsByTeacherIds,
  type ChangeLogRow,
  type ChangeRequestRow,
} from './repositories/change-requests';
import { findOrgUnitsByIds, findOrgUnitsByParentIds, type OrgUnitRow } from './repositories/org-units';
import { findSubRecordsByTeacherIds, SUB_RECORD_KINDS, type SubRecordKind, type SubRecordRow } from './repositories/sub-records';
import { findTeachersByIds, findTeachersByNumbers, headcountsByUnit, type HeadcountRow, type TeacherRow } from './repositories/teachers';
import { payBandsByUnit, type PayBandRow } from './repositories/statistics';
import { auditPayRead } from './services/pay';
import { StatisticsPublisher } from './services/statistics-publication';

/** Built fresh for every request: caches never outlive one viewer's request. */
export function createLoaders(db: Db, viewer: Viewer) {
  const subRecords = Object.fromEntries(
    (Object.keys(SUB_RECORD_KINDS) as SubRecordKind[]).map((kind) => [
      kind,
      // Keys are ids of teachers already loaded through the scoped teacher loader.
      new DataLoader<string, SubRecordRow[]>(async (ids) => mapToMany(ids, await findSubRecordsByTeacherIds(db, kind, ids), (r) => r.teacherId)),
    ]),
  ) as Record<SubRecordKind, DataLoader<string, SubRecordRow[]>>;
  const loaders = {
    orgUnitById: new DataLoader<string, OrgUnitRow | null>(async (ids) => mapTo(ids, await findOrgUnitsByIds(db, ids), (r) => r.id)),
    orgUnitsByParentId: new DataLoader<string, OrgUnitRow[]>(async (ids) =>
      mapToMany(ids, await findOrgUnitsByParentIds(db, ids), (r) => r.parentId as string),
    ),
    /** Scoped: a teacher outside the viewer's reach loads as null, also through `_entities`. */
    teacherById: new DataLoader<string, TeacherRow | null>(async (ids) => mapTo(ids, await findTeachersByIds(db, viewer, ids), (r) => r.id)),
    /** Scoped like teacherById. */
    teacherByNumber: new DataLoader<string, TeacherRow | null>(async (numbers) =>
      mapTo(numbers, await findTeachersByNumbers(db, viewer, numbers), (r) => r.nationalTeacherNumber),
    ),
    subRecordsByTeacherId: subRecords,
    /** Scoped through the teacher's organisation path. */
    changeRequestById: new DataLoader<string, ChangeRequestRow | null>(async (ids) =>
      mapTo(ids, await findChangeRequestsByIds(db, viewer, ids), (r) => r.id),
    ),
    changeRequestsByTeacherId: new DataLoader<string, ChangeRequestRow[]>(async (ids) =>
      mapToMany(ids, await findChangeRequestsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    changeLogByTeacherId: new DataLoader<string, ChangeLogRow[]>(async (ids) => mapToMany(ids, await findChangeLogByTeacherIds(db, ids), (r) => r.teacherId)),
    changeLogByRequestId: new DataLoader<string, ChangeLogRow[]>(async (ids) =>
      mapToMany(ids, await findChangeLogByRequestIds(db, ids), (r) => r.changeRequestId as string),
    ),
    /** Headcounts of many units in one set-based statement, limited to the viewer's scope. */
    headcountsByUnitId: new DataLoader<string, HeadcountRow[]>(async (ids) => mapToMany(ids, await headcountsByUnit(db, viewer, ids), (r) => r.unitId)),
    /** Active teachers by the band of the pay in force today, per unit, in one statement (viewer's scope). */
    payBandsByUnitId: new DataLoader<string, PayBandRow[]>(async (ids) => mapToMany(ids, await payBandsByUnit(db, viewer, ids), (r) => r.unitId)),
    /** Every teacher whose pay a request read, audited as one row per batch (a sensitive read). */
    payReadAudit: new DataLoader<string, true>(async (ids) => {
      await auditPayRead(db, viewer, ids);
      return ids.map(() => true as const);
    }),
  };
  return {
    ...loaders,
    /** The statistics viewers who may not see persons get, decided level by level (services/statistics-publication.ts). */
    statisticsPublication: new StatisticsPublisher(viewer, {
      unit: (id) => loaders.orgUnitById.load(id),
      children: (id) => loaders.orgUnitsByParentId.load(id),
      headcounts: async (ids) => settledOrThrow(await loaders.headcountsByUnitId.loadMany(ids)),
      payBands: async (ids) => settledOrThrow(await loaders.payBandsByUnitId.loadMany(ids)),
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
