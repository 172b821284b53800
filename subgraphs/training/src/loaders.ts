import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapTo, mapToMany, perKey, settledOrThrow } from '../../shared/src/loaders';
import { HierarchyPublisher, type PublicationSpec } from '../../shared/src/hierarchy-publication';
import { createOrgTreeLoaders, createTeacherScopeLoader } from '../../shared/src/projections';
import type { CreditRules } from './domain/credit-rules';
import { today } from './domain/validation';
import {
  balancesByTeacherIds,
  completionByOrgIds,
  ledgerEntriesByTeacherIds,
  loadCreditRules,
  yearTotalsByTeacherIds,
  type BalanceRow,
  type CompletionRow,
  type LedgerEntryRow,
  type TeacherYearTotalRow,
} from './repositories/credit-bank';
import { findCoursesByIds, findCoursesByProgrammeIds, findEnrolmentsByCourseIds, findEnrolmentsByTeacherIds, findProgrammesByIds, type CourseRow, type EnrolmentRow, type ProgrammeRow } from './repositories/catalogue';
import { findApplicationsByTeacherIds, findEntriesByApplicationIds, type ApplicationRow } from './repositories/credit-operations';
import { findDeclarationsByIds, findDeclarationsByTeacherIds, type DeclarationRow } from './repositories/declarations';
import { findCycleOn, listCycles, findRecordsByIds, findRecordsByTeacherIds, type TrainingCycleRow, type TrainingRecordFilter, type TrainingRecordRow } from './repositories/training';

/** Loader key of a cycle: its dates and hours, so the batch function needs no second lookup. */
export const cycleKey = (cycle: TrainingCycleRow) => `${cycle.startsOn}:${cycle.endsOn}:${cycle.requiredHours}`;

/** A loader per distinct argument set (shared/src/loaders.ts perKey), keyed by text. */
const keyed = <V>(make: (key: string) => V) => perKey<string, V>(make);

export function createLoaders(db: Db, viewer: Viewer) {
  let currentCycle: Promise<TrainingCycleRow | null> | undefined;
  let rules: Promise<CreditRules> | undefined;
  let cycles: Promise<TrainingCycleRow[]> | undefined;
  const cycleToday = () => (currentCycle ??= findCycleOn(db, today()).then((row) => row ?? null));
  const orgTree = createOrgTreeLoaders(db);
  const loaders = {
    /** Scoped: null for a teacher outside the viewer's reach. */
    teacherById: createTeacherScopeLoader(db, viewer),
    currentCycle: cycleToday,
    /** Provincial rules are a few dozen rows: loaded once per request. */
    creditRules: () => (rules ??= loadCreditRules(db)),
    /** Ledger totals per activity year inside a cycle (one statement per page and cycle). */
    yearTotalsInCycle: keyed((cycleKey) => {
      const [startsOn, endsOn] = cycleKey.split(':') as [string, string];
      return new DataLoader<string, TeacherYearTotalRow[]>(async (ids) => mapToMany(ids, await yearTotalsByTeacherIds(db, ids, startsOn, endsOn), (r) => r.teacherId));
    }),
    annualTotalsByTeacherId: keyed((range) => {
      const [from, to] = range.split(':') as [string, string];
      return new DataLoader<string, TeacherYearTotalRow[]>(async (ids) =>
        mapToMany(ids, await yearTotalsByTeacherIds(db, ids, `${from}-01-01`, `${to}-12-31`), (r) => r.teacherId),
      );
    }),
    trainingRecordsByTeacherId: keyed((filterKey) => {
      const filter = JSON.parse(filterKey) as TrainingRecordFilter;
      return new DataLoader<string, TrainingRecordRow[]>(async (ids) => mapToMany(ids, await findRecordsByTeacherIds(db, ids, filter), (r) => r.teacherId));
    }),
    trainingRecordById: new DataLoader<string, TrainingRecordRow | null>(async (ids) => mapTo(ids, await findRecordsByIds(db, ids), (r) => r.id)),
    ledgerByTeacherId: new DataLoader<string, LedgerEntryRow[]>(async (ids) => mapToMany(ids, await ledgerEntriesByTeacherIds(db, ids), (r) => r.teacherId)),
    balanceByTeacherId: new DataLoader<string, BalanceRow | null>(async (ids) => mapTo(ids, await balancesByTeacherIds(db, ids), (r) => r.teacherId)),
    applicationsByTeacherId: new DataLoader<string, ApplicationRow[]>(async (ids) => mapToMany(ids, await findApplicationsByTeacherIds(db, ids), (r) => r.teacherId)),
    entriesByApplicationId: new DataLoader<string, LedgerEntryRow[]>(async (ids) => mapToMany(ids, await findEntriesByApplicationIds(db, ids), (r) => r.applicationId)),
    declarationsByTeacherId: new DataLoader<string, DeclarationRow[]>(async (ids) => mapToMany(ids, await findDeclarationsByTeacherIds(db, ids), (r) => r.teacherId)),
    declarationById: new DataLoader<string, DeclarationRow | null>(async (ids) => mapTo(ids, await findDeclarationsByIds(db, viewer, ids), (r) => r.id)),
    programmeById: new DataLoader<string, ProgrammeRow | null>(async (ids) => mapTo(ids, await findProgrammesByIds(db, viewer, ids), (r) => r.id)),
    courseById: new DataLoader<string, CourseRow | null>(async (ids) => mapTo(ids, await findCoursesByIds(db, viewer, ids), (r) => r.id)),
    coursesByProgrammeId: new DataLoader<string, CourseRow[]>(async (ids) => mapToMany(ids, await findCoursesByProgrammeIds(db, ids), (r) => r.programmeId)),
    enrolmentsByCourseId: new DataLoader<string, EnrolmentRow[]>(async (ids) => mapToMany(ids, await findEnrolmentsByCourseIds(db, viewer, ids), (r) => r.courseId)),
    enrolmentsByTeacherId: new DataLoader<string, EnrolmentRow[]>(async (ids) => mapToMany(ids, await findEnrolmentsByTeacherIds(db, ids), (r) => r.teacherId)),
    /** Subtree completion of a cycle; scoped in SQL (aggregate scope). One statement per page of units. */
    completionInCycle: keyed((key) => {
      // `${cycle.id}:${cycleKey(cycle)}`: the id picks the rollup's rows, the rest the live reference.
      const [requiredHours, endsOn, startsOn, ...id] = key.split(':').reverse() as [string, string, string, ...string[]];
      const asOf = endsOn < today() ? endsOn : today();
      return new DataLoader<string, CompletionRow | null>(async (ids) =>
        mapTo(ids, await completionByOrgIds(db, viewer, ids, { id: id.reverse().join(':'), startsOn, endsOn, requiredHours: Number(requiredHours) }, asOf), (r) => r.orgId),
      );
    }),
    /** The cycle with this id, or the one running today when no id is given. */
    async cycleFor(cycleId?: string | null): Promise<TrainingCycleRow | null> {
      if (cycleId == null) return cycleToday();
      const all = await (cycles ??= listCycles(db));
      return all.find((c) => c.id === cycleId) ?? null;
    },
  };
  return {
    ...loaders,
    orgTree,
    /**
     * Completion figures as viewers who may not see persons get them, per cycle key (see
     * completionInCycle), decided level by level like the registry's headcounts.
     */
    completionPublication: keyed((key) =>
      new HierarchyPublisher(viewer, COMPLETION_PUBLICATION, {
        ...orgTree,
        counts: async (ids) =>
          settledOrThrow(await loaders.completionInCycle(key).loadMany(ids)).map((row, i) => ({
            id: ids[i] as string,
            totals: new Map([['active', Number(row?.teacherCount ?? 0)]]),
            dimensions: new Map([['completion', new Map([['met', Number(row?.metCount ?? 0)], ['not_met', Number(row?.teacherCount ?? 0) - Number(row?.metCount ?? 0)]])]]),
          })),
      }),
    ),
  };
}

/**
 * Active teachers who met or did not meet the cycle requirement. The total is the registry's active
 * teachers, which the registry alone publishes to these viewers; so are the teachers who did not
 * meet it (total less met): only `met` is shown, decided with both known to the reader.
 */
export const COMPLETION_PUBLICATION: PublicationSpec = {
  totals: ['active'],
  totalsPublishedElsewhere: true,
  dimensions: [{ name: 'completion', total: 'active', unpublished: ['not_met'] }],
};

export type Loaders = ReturnType<typeof createLoaders>;
