import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { likePrefix } from '../../../shared/src/org-scope';

export interface AwardProgrammeRow {
  id: string;
  name: string;
  level: string;
  organiserOrgId: string;
  organiserPath: string;
  issuer: string;
  nominationOpensOn: string;
  nominationClosesOn: string;
  minYearsPassOrBetter: number;
  minExcellentInThoseYears: number;
  requiresTrainingComplete: boolean;
  version: number;
}

export interface AwardNominationRow {
  id: string;
  programmeId: string;
  teacherId: string;
  stage: string;
  nominatedOn: string;
  decidedOn: string | null;
  awardedOn: string | null;
  documentRef: string | null;
  note: string | null;
  version: number;
}

const PROGRAMME = [
  'p.id',
  'p.name',
  'p.level',
  'p.organiser_org_id as organiserOrgId',
  'p.organiser_path as organiserPath',
  'p.issuer',
  'p.nomination_opens_on as nominationOpensOn',
  'p.nomination_closes_on as nominationClosesOn',
  'p.min_years_pass_or_better as minYearsPassOrBetter',
  'p.min_excellent_in_those_years as minExcellentInThoseYears',
  'p.requires_training_complete as requiresTrainingComplete',
  'p.version',
];
const NOMINATION = [
  'n.id',
  'n.programme_id as programmeId',
  'n.teacher_id as teacherId',
  'n.stage',
  'n.nominated_on as nominatedOn',
  'n.decided_on as decidedOn',
  'n.awarded_on as awardedOn',
  'n.document_ref as documentRef',
  'n.note',
  'n.version',
];

/**
 * Programmes a viewer can see: organised at or above the viewer's unit (they may nominate into
 * them) or below it (they supervise them). Both are prefix tests on materialised paths.
 */
export function visibleProgrammes(knex: Knex | Knex.Transaction, db: Db, viewer: Viewer) {
  return knex(`${db.t('award_programme')} as p`)
    .select(PROGRAMME)
    .where((q) => q.whereRaw("? like p.organiser_path || '%'", [viewer.orgPath]).orWhereRaw('p.organiser_path like ?', [likePrefix(viewer.orgPath)]));
}

/** Lookups by id obey the same visibility as the list. */
export async function findProgrammesByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<AwardProgrammeRow[]> {
  return visibleProgrammes(db.knex, db, viewer).whereIn('p.id', ids as string[]);
}

export async function findProgrammeById(knex: Knex | Knex.Transaction, db: Db, id: string): Promise<AwardProgrammeRow | undefined> {
  return knex(`${db.t('award_programme')} as p`).first(PROGRAMME).where('p.id', id);
}

export async function findNominationsByTeacherIds(db: Db, ids: readonly string[]): Promise<AwardNominationRow[]> {
  return db.knex(`${db.t('award_nomination')} as n`).select(NOMINATION).whereIn('n.teacher_id', ids as string[]).orderBy([{ column: 'n.nominated_on', order: 'desc' }, { column: 'n.id' }]);
}

export async function findNominationById(knex: Knex | Knex.Transaction, db: Db, id: string): Promise<AwardNominationRow | undefined> {
  return knex(`${db.t('award_nomination')} as n`).first(NOMINATION).where('n.id', id);
}
