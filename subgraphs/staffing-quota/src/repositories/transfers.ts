import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { hasOrgScope, likePrefix } from '../../../shared/src/org-scope';

export interface TransferRow {
  id: string;
  kind: string;
  teacherId: string;
  fromOrgId: string | null;
  toOrgId: string | null;
  onQuota: boolean;
  effectiveOn: string;
  reason: string | null;
  status: string;
  version: number;
  createdAt: Date;
  /** Full-precision creation time as text (list queries only): the keyset cursor. */
  createdAtKey?: string;
}

export interface ApprovalRow {
  transferId: string;
  step: string;
  approved: boolean;
  decidedBy: string;
  decidedAt: Date;
  comment: string | null;
}

export const TRANSFER_COLUMNS = [
  't.id',
  't.kind',
  't.teacher_id as teacherId',
  't.from_org_id as fromOrgId',
  't.to_org_id as toOrgId',
  't.on_quota as onQuota',
  't.effective_on as effectiveOn',
  't.reason',
  't.status',
  't.version',
  't.created_at as createdAt',
];

/**
 * Transfers the viewer may see: the releasing or the receiving unit lies in the viewer's subtree
 * (both sides must read the workflow to approve it). Applied in SQL, so pages and counts are right.
 */
function scopedTransfers(db: Db, viewer: Viewer) {
  const { knex } = db;
  const query = knex(db.t('transfer as t'))
    .leftJoin(db.t('org_scope as f'), 'f.org_id', 't.from_org_id')
    .leftJoin(db.t('org_scope as r'), 'r.org_id', 't.to_org_id');
  if (!hasOrgScope(viewer) || viewer.role === 'partner') return query.whereRaw('false');
  const prefix = likePrefix(viewer.orgPath);
  return query.where((q) => q.whereRaw('f.org_path like ?', [prefix]).orWhereRaw('r.org_path like ?', [prefix]));
}

export async function findTransfersByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<TransferRow[]> {
  return scopedTransfers(db, viewer).select(TRANSFER_COLUMNS).whereIn('t.id', ids as string[]);
}

export async function listTransfers(db: Db, viewer: Viewer, options: { status: string | null; limit: number; after: { createdAt: string; id: string } | null }) {
  // The cursor keeps microseconds (a JS Date would drop them and skip rows created in the same millisecond).
  const query = scopedTransfers(db, viewer).select([...TRANSFER_COLUMNS, db.knex.raw(`t.created_at::text as "createdAtKey"`)]);
  if (options.status) query.andWhere('t.status', options.status);
  if (options.after) query.andWhereRaw('(t.created_at, t.id) < (?::timestamptz, ?::uuid)', [options.after.createdAt, options.after.id]);
  return query.orderBy([{ column: 't.created_at', order: 'desc' }, { column: 't.id', order: 'desc' }]).limit(options.limit + 1) as Promise<TransferRow[]>;
}

export async function countTransfers(db: Db, viewer: Viewer, status: string | null): Promise<number> {
  const query = scopedTransfers(db, viewer).count('* as count');
  if (status) query.andWhere('t.status', status);
  const rows = (await query) as { count: number | string }[];
  return Number(rows[0]?.count ?? 0);
}

export async function findApprovalsByTransferIds(db: Db, ids: readonly string[]): Promise<ApprovalRow[]> {
  return db
    .knex(db.t('transfer_approval'))
    .select('transfer_id as transferId', 'step', 'approved', 'decided_by as decidedBy', 'decided_at as decidedAt', 'comment')
    .whereIn('transfer_id', ids as string[])
    .orderBy('decided_at');
}
