import type { Knex } from 'knex';
import { appendAudit, appendAuditAlone } from '../../../shared/src/audit';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import type { SanctionType } from '../domain/ethics';

export interface EthicsEntryRow {
  id: string;
  teacherId: string;
  kind: 'honour' | 'violation';
  sanction: SanctionType | null;
  summary: string;
  decidedOn: string;
  periodEndsOn: string | null;
  banEndsOn: string | null;
  authority: string;
  documentRef: string;
  version: number;
}

export const ETHICS_COLUMNS = [
  'id',
  'teacher_id as teacherId',
  'kind',
  'sanction',
  'summary',
  'decided_on as decidedOn',
  'period_ends_on as periodEndsOn',
  'ban_ends_on as banEndsOn',
  'authority',
  'document_ref as documentRef',
  'version',
];

export type EthicsAuditAction = 'read_entries' | 'read_bans' | 'read_for_registration' | 'read_for_assessment' | 'read_for_title_review' | 'read_for_award' | 'write';

/**
 * Appends one audit row per teacher whose ethics data the viewer is about to receive, and one row
 * to the service's hash-chained audit trail (what auditors query through the gateway). Called
 * before the read, so a read that cannot be audited does not happen.
 */
export async function auditEthicsAccess(
  knex: Knex | Knex.Transaction,
  db: Db,
  viewer: Viewer,
  teacherIds: readonly string[],
  action: EthicsAuditAction,
  requestId: string | null = null,
): Promise<void> {
  if (teacherIds.length === 0) return;
  const ids = [...new Set(teacherIds)];
  const accessRows = (k: Knex | Knex.Transaction) =>
    k(db.t('ethics_read_audit')).insert(
      ids.map((teacherId) => ({
        viewer_subject: viewer.subject,
        viewer_role: viewer.role,
        viewer_org_id: viewer.orgId,
        viewer_client_id: viewer.clientId ?? null,
        teacher_id: teacherId,
        action,
        request_id: requestId,
      })),
    );
  const entry = { action: `ethics_${action}`, teacherIds: ids, result: 'ok' as const, requestId, detail: { fields: ['ethics'] } };
  // Inside a write the rows share its transaction; a plain read stores both in one statement of its own.
  if ((knex as Knex.Transaction).isTransaction) {
    await accessRows(knex);
    await appendAudit(knex as Knex.Transaction, db, viewer, entry);
  } else {
    await appendAuditAlone(db, viewer, entry, accessRows(db.knex));
  }
}

/** Callers pass ids already authorised through the teacher_scope projection. */
export async function findEthicsEntriesByTeacherIds(knex: Knex | Knex.Transaction, db: Db, teacherIds: readonly string[]): Promise<EthicsEntryRow[]> {
  if (teacherIds.length === 0) return [];
  return knex(db.t('ethics_entry'))
    .select(ETHICS_COLUMNS)
    .whereIn('teacher_id', teacherIds as string[])
    .orderBy([{ column: 'decided_on', order: 'desc' }, { column: 'id' }]);
}

export async function findEthicsEntryById(knex: Knex | Knex.Transaction, db: Db, id: string): Promise<EthicsEntryRow | undefined> {
  return knex(db.t('ethics_entry')).first(ETHICS_COLUMNS).where('id', id);
}
