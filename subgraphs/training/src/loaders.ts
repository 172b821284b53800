import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapTo, mapToMany } from '../../shared/src/loaders';
import { createTeacherScopeLoader } from '../../shared/src/projections';
import { findCycleOn, findRecordsByTeacherIds, sumHoursByTeacherIds, type TrainingCycleRow, type TrainingRecordRow } from './repositories/training';

export function createLoaders(db: Db, viewer: Viewer) {
  let currentCycle: Promise<TrainingCycleRow | null> | undefined;
  const cycleToday = () => (currentCycle ??= findCycleOn(db, new Date().toISOString().slice(0, 10)).then((row) => row ?? null));
  return {
    /** Scoped: null for a teacher outside the viewer's reach. */
    teacherById: createTeacherScopeLoader(db, viewer),
    currentCycle: cycleToday,
    trainingRecordsByTeacherId: new DataLoader<string, TrainingRecordRow[]>(async (ids) =>
      mapToMany(ids, await findRecordsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    hoursInCurrentCycleByTeacherId: new DataLoader<string, number>(async (ids) => {
      const cycle = await cycleToday();
      if (!cycle) return ids.map(() => 0);
      const sums = mapTo(ids, await sumHoursByTeacherIds(db, ids, cycle), (r) => r.teacherId);
      return sums.map((row) => Number(row?.hours ?? 0));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
