import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import { likePrefix } from '../../../shared/src/org-scope';
import { isIsoDate } from '../../../shared/src/scalars';
import { todayIso } from '../domain/dates';
import { sanctionDates, type SanctionType } from '../domain/ethics';
import { auditEthicsAccess, findEthicsEntryById, type EthicsEntryRow } from '../repositories/ethics';
import { InputCheck } from './validation';

const notFound = (field: string, what: string) => new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, `No such ${what} in your area.`, ['input', field])]);

function checkDecidedOn(check: InputCheck, value: string, now: Date): void {
  if (!isIsoDate(value)) check.fail('decidedOn', 'The decision date must be a calendar date written YYYY-MM-DD.');
  else if (value > todayIso(now)) check.fail('decidedOn', 'The decision date cannot be in the future.');
  else if (value < '1950-01-01') check.fail('decidedOn', 'The decision date cannot be before 1950.');
}

function datesFor(kind: 'honour' | 'violation', sanction: SanctionType | null, decidedOn: string) {
  if (kind === 'honour' || !sanction) return { period_ends_on: null, ban_ends_on: null };
  const d = sanctionDates(sanction, decidedOn);
  return { period_ends_on: d.periodEndsOn, ban_ends_on: d.banEndsOn };
}

export interface RecordEthicsEntryInput {
  teacherId: string;
  kind: 'honour' | 'violation';
  sanction?: SanctionType | null;
  summary: string;
  decidedOn: string;
  authority: string;
  documentRef: string;
}

export async function recordEthicsEntry(db: Db, viewer: Viewer, input: RecordEthicsEntryInput, requestId: string | null, now = new Date()) {
  const check = new InputCheck();
  const teacherId = check.uuid(input.teacherId, 'teacherId', 'The teacher');
  const sanction = input.sanction ?? null;
  if (input.kind === 'violation' && !sanction) check.fail('sanction', 'A violation needs its sanction (warning, demerit, demotion, removal or dismissal).');
  if (input.kind === 'honour' && sanction) check.fail('sanction', 'An honour has no sanction; leave it out.');
  const summary = check.text(input.summary, 'summary', 'The summary', 1000, true);
  checkDecidedOn(check, input.decidedOn, now);
  const authority = check.text(input.authority, 'authority', 'The deciding authority', 200, true);
  const documentRef = check.text(input.documentRef, 'documentRef', 'The document reference', 100, true);
  if (!check.ok) return { entry: null, errors: check.errors };

  return runMutation(db.knex, async (trx) => {
    const teacher = await trx(db.t('teacher_scope'))
      .first('teacher_id')
      .where('teacher_id', teacherId)
      .andWhereRaw('org_path like ?', [likePrefix(viewer.orgPath)]);
    if (!teacher) throw notFound('teacherId', 'teacher');
    const [row] = await trx(db.t('ethics_entry'))
      .insert({
        id: trx.raw('gen_random_uuid()'),
        teacher_id: teacherId,
        kind: input.kind,
        sanction,
        summary,
        decided_on: input.decidedOn,
        ...datesFor(input.kind, sanction, input.decidedOn),
        authority,
        document_ref: documentRef,
        recorded_by_subject: viewer.subject,
        recorded_by_org_id: viewer.orgId,
      })
      .returning('id');
    await auditEthicsAccess(trx, db, viewer, [teacherId], 'write', requestId);
    return { entry: (await findEthicsEntryById(trx, db, (row as { id: string }).id)) as EthicsEntryRow };
  });
}

export interface CorrectEthicsEntryInput {
  id: string;
  version: number;
  sanction?: SanctionType | null;
  summary?: string | null;
  decidedOn?: string | null;
  authority?: string | null;
  documentRef?: string | null;
}

export async function correctEthicsEntry(db: Db, viewer: Viewer, input: CorrectEthicsEntryInput, requestId: string | null, now = new Date()) {
  const check = new InputCheck();
  const id = check.uuid(input.id, 'id', 'The entry');
  if (!Number.isInteger(input.version) || input.version < 1) check.fail('version', 'The version must be a positive whole number.');
  const summary = input.summary === undefined ? undefined : check.text(input.summary, 'summary', 'The summary', 1000, true);
  if (input.decidedOn !== undefined && input.decidedOn !== null) checkDecidedOn(check, input.decidedOn, now);
  const authority = input.authority === undefined ? undefined : check.text(input.authority, 'authority', 'The deciding authority', 200, true);
  const documentRef = input.documentRef === undefined ? undefined : check.text(input.documentRef, 'documentRef', 'The document reference', 100, true);
  if (!check.ok) return { entry: null, errors: check.errors };

  return runMutation(db.knex, async (trx) => {
    const current = await trx(db.t('ethics_entry') + ' as e')
      .join(db.t('teacher_scope') + ' as s', 's.teacher_id', 'e.teacher_id')
      .first('e.id', 'e.kind', 'e.sanction', 'e.decided_on as decidedOn', 'e.teacher_id as teacherId')
      .where('e.id', id)
      .andWhereRaw('s.org_path like ?', [likePrefix(viewer.orgPath)]);
    if (!current) throw notFound('id', 'ethics entry');
    if (current.kind === 'honour' && input.sanction) {
      throw new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, 'An honour has no sanction; leave it out.', ['input', 'sanction'])]);
    }
    const sanction = (input.sanction ?? current.sanction) as SanctionType | null;
    const decidedOn = input.decidedOn ?? current.decidedOn;
    const patch: Record<string, unknown> = { sanction, decided_on: decidedOn, ...datesFor(current.kind, sanction, decidedOn) };
    if (summary !== undefined) patch.summary = summary;
    if (authority !== undefined) patch.authority = authority;
    if (documentRef !== undefined) patch.document_ref = documentRef;
    await updateWithVersion(trx, db.t('ethics_entry'), { column: 'id', value: id }, input.version, patch);
    await auditEthicsAccess(trx, db, viewer, [current.teacherId], 'write', requestId);
    return { entry: (await findEthicsEntryById(trx, db, id)) as EthicsEntryRow };
  });
}
