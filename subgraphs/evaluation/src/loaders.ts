import DataLoader from 'dataloader';
import type { Db } from '../../shared/src/db';
import type { Viewer } from '../../shared/src/identity';
import { mapToMany } from '../../shared/src/loaders';
import { createTeacherScopeLoader } from '../../shared/src/projections';
import { findAssessmentsByTeacherIds, type AnnualAssessmentRow } from './repositories/assessments';
import { findRegistrationsByTeacherIds, type RegistrationRow } from './repositories/registrations';
import { findTitleApplicationsByTeacherIds, findTitleRequirements, type TitleApplicationRow } from './repositories/title-review';
import { todayIso } from './domain/dates';
import { findTrainingSummariesByTeacherIds, type TrainingSummaryRow } from './repositories/training-summary';
import { findNominationsByTeacherIds, findProgrammesByIds, type AwardNominationRow, type AwardProgrammeRow } from './repositories/awards';
import { mapTo } from '../../shared/src/loaders';
import { auditEthicsAccess, findEthicsEntriesByTeacherIds, type EthicsAuditAction, type EthicsEntryRow } from './repositories/ethics';

export function createLoaders(db: Db, viewer: Viewer) {
  /** Ethics rows of a batch of teachers, after appending one audit row per teacher for this kind of access. */
  const auditedEthics = (action: EthicsAuditAction) =>
    new DataLoader<string, EthicsEntryRow[]>(async (ids) => {
      await auditEthicsAccess(db.knex, db, viewer, ids, action);
      return mapToMany(ids, await findEthicsEntriesByTeacherIds(db.knex, db, ids), (r) => r.teacherId);
    });
  /** Organisation path per teacher (for the province whose rules apply), from teacher_scope. */
  const orgPathByTeacherId = new DataLoader<string, string | null>(async (ids) => {
    const rows: { id: string; orgPath: string }[] = await db.knex(db.t('teacher_scope')).select('teacher_id as id', 'org_path as orgPath').whereIn('teacher_id', ids as string[]);
    const byId = new Map(rows.map((r) => [r.id, r.orgPath]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  return {
    // The scope check reads each visible teacher's organisation path too: title review needs it, without a second read.
    teacherById: createTeacherScopeLoader(db, viewer, (rows) => {
      for (const row of rows) orgPathByTeacherId.prime(row.id, row.orgPath);
    }),
    assessmentsByTeacherId: new DataLoader<string, AnnualAssessmentRow[]>(async (ids) =>
      mapToMany(ids, await findAssessmentsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    // Two statements per batch whatever the page size: the audit insert first (no audit, no read), then the read.
    ethicsEntriesByTeacherId: auditedEthics('read_entries'),
    ethicsBanFactsByTeacherId: auditedEthics('read_bans'),
    registrationsByTeacherId: new DataLoader<string, RegistrationRow[]>(async (ids) =>
      mapToMany(ids, await findRegistrationsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    // Registration reads the ethics ledger too: audited as its own kind of access.
    ethicsForRegistrationByTeacherId: auditedEthics('read_for_registration'),
    ethicsForTitleReviewByTeacherId: auditedEthics('read_for_title_review'),
    ethicsForAwardByTeacherId: auditedEthics('read_for_award'),
    awardNominationsByTeacherId: new DataLoader<string, AwardNominationRow[]>(async (ids) =>
      mapToMany(ids, await findNominationsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    // Programmes organised at, above or below the viewer's unit, as in the list.
    awardProgrammeById: new DataLoader<string, AwardProgrammeRow | null>(async (ids) => mapTo(ids, await findProgrammesByIds(db, viewer, ids), (r) => r.id)),
    titleApplicationsByTeacherId: new DataLoader<string, TitleApplicationRow[]>(async (ids) =>
      mapToMany(ids, await findTitleApplicationsByTeacherIds(db, ids), (r) => r.teacherId),
    ),
    /** Training's verdicts per cycle (projection fed by training events), newest cycle first. */
    trainingSummariesByTeacherId: new DataLoader<string, TrainingSummaryRow[]>(async (ids) =>
      mapToMany(ids, await findTrainingSummariesByTeacherIds(db.knex, db, ids), (r) => r.teacherId),
    ),
    orgPathByTeacherId,
    /** Title minimums in force today for a batch of provinces (national rows included). */
    titleRequirementsByProvince: new DataLoader<string, Awaited<ReturnType<typeof findTitleRequirements>>>(async (provinces) => {
      const rows = await findTitleRequirements(db, provinces, todayIso());
      return provinces.map((p) => rows.filter((r) => r.provinceCode === null || r.provinceCode === p));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
