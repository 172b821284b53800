import { appendAudit } from '../../../shared/src/audit';
import { normaliseUuid } from '../../../shared/src/ids';
import { userError, UserErrorCode, type UserError } from '../../../shared/src/mutations';
import type { Context } from '../context';
import { identificationDocument } from '../resolvers/Teacher';

/**
 * The one way to see ID numbers and contacts unmasked: scoped like every teacher lookup (an
 * administrator's subtree, or the teacher's own record), with a stated reason, and audited
 * whether it is granted or refused. The audit row never holds the revealed values.
 */
export async function revealPersonalDetails(ctx: Context, input: { teacherId: string; reason: string }) {
  const reason = input.reason.trim();
  const teacherId = normaliseUuid(input.teacherId);
  // Reads first, then one short transaction for the audit row (see README: embedded database rule).
  const teacher = teacherId ? await ctx.loaders.teacherById.load(teacherId) : null;
  const errors: UserError[] = [];
  if (reason.length < 5 || reason.length > 200) {
    errors.push(userError(UserErrorCode.INVALID_INPUT, 'Give the purpose in 5 to 200 characters.', ['input', 'reason']));
  }
  if (!teacher) errors.push(userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your area.', ['input', 'teacherId']));

  const documents = teacher && errors.length === 0 ? await ctx.loaders.subRecordsByTeacherId.idDocument.load(teacher.id) : [];
  const contacts = teacher && errors.length === 0 ? await ctx.loaders.subRecordsByTeacherId.contact.load(teacher.id) : [];

  await ctx.db.knex.transaction((trx) =>
    appendAudit(trx, ctx.db, ctx.viewer, {
      action: 'reveal_personal_details',
      // Refused for a teacher out of scope too: the id asked for is named, so an auditor filtering
      // by that teacher sees the attempt.
      teacherIds: teacher ? [teacher.id] : teacherId ? [teacherId] : [],
      result: errors.length ? 'refused' : 'ok',
      detail: { reason: reason.slice(0, 200), fields: ['identificationDocuments', 'contacts'], ...(teacher ? {} : { requestedTeacherId: input.teacherId.slice(0, 64) }) },
    }),
  );
  if (errors.length || !teacher) return { identificationDocuments: [], contacts: [], errors };
  return {
    identificationDocuments: [
      ...(teacher.idDocumentNumber ? [identificationDocument(teacher.idDocumentType, teacher.idDocumentNumber, null, true)] : []),
      ...documents.map((d) => identificationDocument(d.documentType as string, d.documentNumber as string, d.validUntil as string | null, true)),
    ],
    contacts: contacts.map((c) => ({ ...c, revealed: true })),
    errors: [],
  };
}
