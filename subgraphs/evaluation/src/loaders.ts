import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapToMany } from '../../shared/src/loaders';
import { createTeacherScopeLoader } from '../../shared/src/projections';
import { findAssessmentsByTeacherIds, type AnnualAssessmentRow } from './repositories/assessments';

export function createLoaders(db: Db, viewer: Viewer) {
  return {
    teacherById: createTeacherScopeLoader(db, viewer),
    assessmentsByTeacherId: new DataLoader<string, AnnualAssessmentRow[]>(async (ids) =>
      mapToMany(ids, await findAssessmentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
