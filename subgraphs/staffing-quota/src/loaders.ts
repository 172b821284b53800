import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapTo, mapToMany, perKey, settledOrThrow } from '../../shared/src/loaders';
import { HierarchyPublisher, unitCountsOf, type UnitNode } from '../../shared/src/hierarchy-publication';
import { createOrgTreeLoaders, createTeacherScopeLoader } from '../../shared/src/projections';
import { findAppointmentsByTeacherIds, findPostPlans, slotCountsByUnits, type AppointmentRow, type PostPlanRow, type UnitSlotRow } from './repositories/posts';
import { todayIso } from './domain/codes';
import { assignmentsByPlanIds, assignmentsByTeacherIds, ruralServiceYears, type AssignmentRow } from './repositories/rotation';
import { approvedQuotaVersions, findEmploymentsByTeacherIds, findEnrolments, quotaBalances, type EmploymentRow, type EnrolmentRowDb, type QuotaBalanceRow } from './repositories/staffing';
import { findApprovalsByTransferIds, findTransfersByIds, type ApprovalRow, type TransferRow } from './repositories/transfers';
import { mobilityByOrgIds, type MobilityRow } from './repositories/mobility';
import { decideMobilityLevel } from './services/mobility-publication';
import { FORECAST_HORIZON, FORECAST_PUBLICATION, forecastCounts } from './services/forecast-publication';
import { retirementFiguresOfMany } from './repositories/forecast-rollup';

/** Keys of per-(unit, year) loaders: `orgId|year`. */
export const unitYearKey = (orgId: string, year: number) => `${orgId}|${year}`;
const parseUnitYear = (key: string) => {
  const [orgId, year] = key.split('|');
  return { orgId: orgId as string, year: Number(year) };
};

export interface EnrolmentBundle {
  orgId: string;
  year: number;
  rows: EnrolmentRowDb[];
  version: number;
}

export function createLoaders(db: Db, viewer: Viewer) {
  const orgTree = createOrgTreeLoaders(db);
  const loaders = {
    teacherById: createTeacherScopeLoader(db, viewer),
    /** One loader per year, so a list of units asking for the same year is one statement. */
    quotaBalanceByOrgId: perKey((year: number) =>
      new DataLoader<string, QuotaBalanceRow | null>(async (ids) => mapTo(ids, await quotaBalances(db, viewer, ids, year), (r) => r.orgId)),
    ),
    /** Mobility figures of a page of units for one year in one statement (no rows: outside scope). */
    mobilityByOrgId: perKey((year: number) =>
      new DataLoader<string, MobilityRow[]>(async (ids) => mapToMany(ids, await mobilityByOrgIds(db, viewer, ids, year), (r) => r.orgId)),
    ),
    enrolmentByUnitYear: new DataLoader<string, EnrolmentBundle | null>(async (keys) => {
      const { rows, versions } = await findEnrolments(db, viewer, keys.map(parseUnitYear));
      const rowsByKey = mapToMany(keys, rows, (r) => unitYearKey(r.orgId, r.year));
      const versionByKey = mapTo(keys, versions, (v) => unitYearKey(v.orgId, v.year));
      return keys.map((key, i) => {
        const version = versionByKey[i];
        return version ? { ...parseUnitYear(key), rows: rowsByKey[i] ?? [], version: version.version } : null;
      });
    }),
    /** Version of each unit's own approved quota per year, a page of (unit, year) keys in one statement; null: none approved. */
    quotaVersionByUnitYear: new DataLoader<string, number | null>(async (keys) =>
      mapTo(keys, await approvedQuotaVersions(db, viewer, keys.map(parseUnitYear)), (r) => unitYearKey(r.orgId, r.year)).map((r) => r?.version ?? null),
    ),
    postPlanByUnitYear: new DataLoader<string, PostPlanRow[]>(async (keys) =>
      mapToMany(keys, await findPostPlans(db, viewer, keys.map(parseUnitYear)), (r) => unitYearKey(r.orgId, r.year)),
    ),
    /** Today's slots of a page of units in one statement; null for a unit outside the viewer's scope. */
    slotsTodayByOrgId: new DataLoader<string, UnitSlotRow[] | null>(async (ids) =>
      mapToMany(ids, await slotCountsByUnits(db, viewer, ids, todayIso()), (r) => r.orgId).map((rows) => (rows && rows.length > 0 ? rows : null)),
    ),
    employmentsByTeacherId: new DataLoader<string, EmploymentRow[]>(async (ids) =>
      mapToMany(ids, await findEmploymentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    appointmentsByTeacherId: new DataLoader<string, AppointmentRow[]>(async (ids) =>
      mapToMany(ids, await findAppointmentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    rotationsByTeacherId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
      mapToMany(ids, await assignmentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    ruralServiceYearsByTeacherId: new DataLoader<string, number>(async (ids) =>
      mapTo(ids, await ruralServiceYears(db, ids), (r) => r.teacherId).map((r) => r?.years ?? 0),
    ),
    assignmentsByPlanId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
      mapToMany(ids, await assignmentsByPlanIds(db.knex, db, ids), (r) => r.planId),
    ),
    transferById: new DataLoader<string, TransferRow | null>(async (ids) => mapTo(ids, await findTransfersByIds(db, viewer, ids), (r) => r.id)),
    approvalsByTransferId: new DataLoader<string, ApprovalRow[]>(async (ids) =>
      mapToMany(ids, await findApprovalsByTransferIds(db, ids), (r) => r.transferId),
    ),
  };
  return {
    ...loaders,
    orgTree,
    /** Mobility figures of a year as viewers who may not see persons get them (services/mobility-publication.ts). */
    mobilityPublication: perKey(
      (year: number) =>
        new HierarchyPublisher(viewer, decideMobilityLevel, {
          ...orgTree,
          counts: async (ids) =>
            settledOrThrow(await loaders.mobilityByOrgId(year).loadMany(ids)).map((rows, i) =>
              unitCountsOf(ids[i] as string, rows.filter((r) => r.dimension !== 'unit'), (dimensions) => {
                const sum = (name: string) => [...(dimensions.get(name)?.values() ?? [])].reduce((a, b) => a + b, 0);
                return new Map([['transfers', sum('transferDirection')], ['rotations', sum('rotationKind')]]);
              }),
            ),
        }),
    ),
    /** Forecast retirements from a base year as viewers who may not see persons get them (services/forecast-publication.ts). */
    forecastPublication: perKey(
      (baseYear: number) =>
        new HierarchyPublisher(viewer, FORECAST_PUBLICATION, {
          ...orgTree,
          counts: async (ids) => {
            const nodes = await Promise.all(ids.map((id) => orgTree.unit(id)));
            const known = nodes.filter((n): n is UnitNode => n !== null);
            const figures = await retirementFiguresOfMany(db, known.map((n) => n.path), baseYear, FORECAST_HORIZON);
            const byId = new Map(known.map((n, i) => [n.id, figures[i]]));
            return ids.map((id) => forecastCounts(id, baseYear, byId.get(id) ?? { inPost: 0, byYear: new Map() }));
          },
        }),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
