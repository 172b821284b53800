import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { forbidden } from '../../../shared/src/errors';
import { enqueueEvent, EVENT_TYPES } from '../../../shared/src/events';
import { normaliseUuid } from '../../../shared/src/ids';
import { runMutation, updateWithVersion, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { canSeeTeacher } from '../../../shared/src/org-scope';
import type { Context } from '../context';
import { canManage, canManageFromAbove, isSchoolAdminOf } from '../domain/authority';
import { provinceOfPath, REQUIRED_STEPS, type TransferKindValue, type TransferStepValue } from '../domain/codes';
import { findOrgsByIds, type OrgRow } from '../repositories/orgs';
import { activeEmployment, unitQuotaOn } from '../repositories/staffing';
import { TRANSFER_COLUMNS, type TransferRow } from '../repositories/transfers';

export interface RequestTransferInput {
  kind: TransferKindValue;
  teacherId: string;
  fromOrgUnitId?: string | null;
  toOrgUnitId?: string | null;
  onQuota: boolean;
  effectiveOn: string;
  reason?: string | null;
}

const field = (name: string) => ['input', name];
const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * A transfer into a unit must leave its approved quota intact: refused with the figures when the
 * unit has no approved quota for the year or every place is taken on the effective date.
 */
export async function assertQuotaRoom(trx: Knex.Transaction, ctx: Context, toOrgId: string, effectiveOn: string, fieldPath = field('toOrgUnitId')): Promise<void> {
  const { approved, occupied } = await unitQuotaOn(trx, ctx.db, toOrgId, effectiveOn);
  if (approved === null) {
    throw new UserErrorsAbort([
      userError(UserErrorCode.RULE_VIOLATION, `Unit ${toOrgId} has no approved staffing quota for ${effectiveOn.slice(0, 4)}; an on-quota transfer cannot be received.`, fieldPath),
    ]);
  }
  if (occupied + 1 > approved) {
    throw new UserErrorsAbort([
      userError(
        UserErrorCode.RULE_VIOLATION,
        `Receiving unit ${toOrgId} would exceed its approved quota: ${approved} approved, ${occupied} on-quota staff in post on ${effectiveOn}.`,
        fieldPath,
      ),
    ]);
  }
}

export async function requestTransfer(ctx: Context, input: RequestTransferInput) {
  const errors: UserError[] = [];
  const teacherId = normaliseUuid(input.teacherId);
  if (!teacherId) errors.push(userError(UserErrorCode.INVALID_INPUT, 'teacherId must be a teacher id (UUID).', field('teacherId')));
  const from = input.fromOrgUnitId ?? null;
  const to = input.toOrgUnitId ?? null;
  const needsFrom = input.kind !== 'new_hire';
  const needsTo = input.kind === 'new_hire' || input.kind.startsWith('transfer_');
  if (needsFrom && !from) errors.push(userError(UserErrorCode.INVALID_INPUT, `A ${input.kind} needs the releasing unit.`, field('fromOrgUnitId')));
  if (!needsFrom && from) errors.push(userError(UserErrorCode.INVALID_INPUT, 'A new hire has no releasing unit.', field('fromOrgUnitId')));
  if (needsTo && !to) errors.push(userError(UserErrorCode.INVALID_INPUT, `A ${input.kind} needs the receiving unit.`, field('toOrgUnitId')));
  if (!needsTo && to) errors.push(userError(UserErrorCode.INVALID_INPUT, `A ${input.kind} has no receiving unit.`, field('toOrgUnitId')));
  if (from && to && from === to) errors.push(userError(UserErrorCode.INVALID_INPUT, 'Releasing and receiving unit must differ.', field('toOrgUnitId')));
  if (input.reason && input.reason.length > 500) errors.push(userError(UserErrorCode.INVALID_INPUT, 'reason is limited to 500 characters.', field('reason')));
  if (errors.length) return { transfer: null, errors };

  const orgs = new Map((await findOrgsByIds(ctx.db, [from, to].filter((x): x is string => !!x))).map((o) => [o.id, o]));
  const checkSchool = (id: string | null, name: string): OrgRow | null => {
    if (!id) return null;
    const org = orgs.get(id);
    if (!org) errors.push(userError(UserErrorCode.NOT_FOUND, `No organisation unit has id "${id}".`, field(name)));
    else if (!org.stage) errors.push(userError(UserErrorCode.INVALID_INPUT, `${id} is not a school; teachers are employed by schools.`, field(name)));
    return org ?? null;
  };
  const fromOrg = checkSchool(from, 'fromOrgUnitId');
  const toOrg = checkSchool(to, 'toOrgUnitId');
  if (errors.length) return { transfer: null, errors };

  if (fromOrg && toOrg) {
    const same = provinceOfPath(fromOrg.path) === provinceOfPath(toOrg.path);
    if (input.kind === 'transfer_within_province' && !same) errors.push(userError(UserErrorCode.INVALID_INPUT, 'The units are in different provinces: use TRANSFER_ACROSS_PROVINCES.', field('kind')));
    if (input.kind === 'transfer_across_provinces' && same) errors.push(userError(UserErrorCode.INVALID_INPUT, 'The units are in the same province: use TRANSFER_WITHIN_PROVINCE.', field('kind')));
  }
  // The side that starts the workflow: the releasing side, or the receiving side for a new hire.
  const initiator = fromOrg ?? toOrg;
  if (initiator && !canManage(ctx.viewer, initiator.path)) {
    errors.push(userError(UserErrorCode.NOT_FOUND, `Unit ${initiator.id} is outside your organisation; its own administrators start this transfer.`, field(fromOrg ? 'fromOrgUnitId' : 'toOrgUnitId')));
  }
  const scope = await ctx.db.knex(ctx.db.t('teacher_scope')).select('org_path as orgPath').where('teacher_id', teacherId).first();
  if (!scope || !canSeeTeacher(ctx.viewer, { id: teacherId as string, orgPath: scope.orgPath })) {
    errors.push(userError(UserErrorCode.NOT_FOUND, 'No teacher with this id in your organisation.', field('teacherId')));
  }
  if (errors.length) return { transfer: null, errors };

  return runMutation(ctx.db.knex, async (trx) => {
    const tid = teacherId as string;
    // Serialise workflows of one teacher: the pending-transfer check below must see committed rows.
    await trx(ctx.db.t('teacher_scope')).where('teacher_id', tid).forUpdate().first();
    const pending = await trx(ctx.db.t('transfer')).where({ teacher_id: tid, status: 'pending' }).first('id');
    if (pending) throw new UserErrorsAbort([userError(UserErrorCode.INVALID_STATE, `The teacher already has a pending transfer (${pending.id}).`, field('teacherId'))]);
    const current = await activeEmployment(trx, ctx.db, tid, input.effectiveOn);
    if (fromOrg && current?.orgId !== fromOrg.id) {
      throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `The teacher is not employed by ${fromOrg.id} on ${input.effectiveOn}.`, field('fromOrgUnitId'))]);
    }
    if (!fromOrg && current) {
      throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, `The teacher is already employed by ${current.orgId}; use a transfer, not a new hire.`, field('teacherId'))]);
    }
    if (toOrg && input.onQuota) await assertQuotaRoom(trx, ctx, toOrg.id, input.effectiveOn);
    const [transfer] = await trx(ctx.db.t('transfer'))
      .insert({
        id: randomUUID(),
        kind: input.kind,
        teacher_id: tid,
        from_org_id: fromOrg?.id ?? null,
        to_org_id: toOrg?.id ?? null,
        on_quota: input.onQuota,
        effective_on: input.effectiveOn,
        reason: input.reason ?? null,
        requested_by: ctx.viewer.subject,
      })
      .returning(TRANSFER_COLUMNS.map((c) => c.replace('t.', '')));
    return { transfer: transfer as TransferRow };
  });
}

export interface DecideTransferInput {
  transferId: string;
  step: TransferStepValue;
  approve: boolean;
  comment?: string | null;
  version: number;
}

export async function decideTransfer(ctx: Context, input: DecideTransferInput) {
  const id = normaliseUuid(input.transferId);
  if (!id) return { transfer: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'transferId must be a transfer id (UUID).', field('transferId'))] };
  if (input.comment && input.comment.length > 500) return { transfer: null, errors: [userError(UserErrorCode.INVALID_INPUT, 'comment is limited to 500 characters.', field('comment'))] };
  return runMutation(ctx.db.knex, async (trx) => {
    const { db, viewer } = ctx;
    const row = (await trx(db.t('transfer as t')).select(TRANSFER_COLUMNS).where('t.id', id).forUpdate().first()) as TransferRow | undefined;
    const orgs = new Map((await findOrgsByIds(db, [row?.fromOrgId, row?.toOrgId].filter((x): x is string => !!x), trx)).map((o) => [o.id, o]));
    const fromOrg = row?.fromOrgId ? orgs.get(row.fromOrgId) : undefined;
    const toOrg = row?.toOrgId ? orgs.get(row.toOrgId) : undefined;
    const visible = row && [fromOrg, toOrg].some((o) => o && canManage(viewer, o.path));
    if (!row || !visible) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'No transfer with this id in your organisation.', field('transferId'))]);
    if (row.status !== 'pending') throw new UserErrorsAbort([userError(UserErrorCode.INVALID_STATE, `The transfer is ${row.status}; no further decisions are taken.`, field('transferId'))]);
    const required = REQUIRED_STEPS[row.kind as TransferKindValue];
    if (!required.includes(input.step)) {
      throw new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, `A ${row.kind} has no ${input.step} step; its steps are ${required.join(', ')}.`, field('step'))]);
    }
    const school = input.step.startsWith('releasing') ? fromOrg : toOrg;
    const allowed = school && (input.step.endsWith('_school') ? isSchoolAdminOf(viewer, school.id) : canManageFromAbove(viewer, school.path));
    if (!allowed) {
      throw forbidden(
        input.step.endsWith('_school')
          ? `Only the information administrator of school ${school?.id} decides the ${input.step} step.`
          : `Only an information administrator above school ${school?.id} decides the ${input.step} step.`,
      );
    }
    const decided = await trx(db.t('transfer_approval')).where({ transfer_id: id, step: input.step }).first('step');
    if (decided) throw new UserErrorsAbort([userError(UserErrorCode.INVALID_STATE, `The ${input.step} step has already been decided.`, field('step'))]);

    await updateWithVersion(trx, db.t('transfer'), { column: 'id', value: id }, input.version, {});
    await trx(db.t('transfer_approval')).insert({
      transfer_id: id,
      step: input.step,
      approved: input.approve,
      decided_by: viewer.subject,
      decided_by_org: viewer.orgId,
      comment: input.comment ?? null,
    });
    let status = 'pending';
    if (!input.approve) status = 'rejected';
    else {
      const approvedSteps = new Set((await trx(db.t('transfer_approval')).select('step').where({ transfer_id: id, approved: true })).map((r: { step: string }) => r.step));
      if (required.every((step) => approvedSteps.has(step))) {
        await completeTransfer(trx, ctx, row);
        status = 'completed';
      }
    }
    const [updated] = await trx(db.t('transfer as t'))
      .where('t.id', id)
      .update({ status, updated_at: trx.fn.now(), ...(status === 'completed' ? { completed_at: trx.fn.now() } : {}) })
      .returning(TRANSFER_COLUMNS.map((c) => c.replace('t.', '')));
    return { transfer: updated as TransferRow };
  });
}

/**
 * Moves the employment (the archive itself stays where it is) and tells the registry in the same
 * transaction; the registry changes the affiliation when the event arrives, however late.
 */
async function completeTransfer(trx: Knex.Transaction, ctx: Context, row: TransferRow): Promise<void> {
  const { db } = ctx;
  if (row.toOrgId && row.onQuota) await assertQuotaRoom(trx, ctx, row.toOrgId, row.effectiveOn);
  const lastDay = dayBefore(row.effectiveOn);
  if (row.fromOrgId) {
    for (const table of ['employment', 'post_appointment']) {
      await trx(db.t(table))
        .where({ teacher_id: row.teacherId, org_id: row.fromOrgId })
        .andWhere((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', row.effectiveOn))
        .update({ ends_on: trx.raw('greatest(starts_on, ?::date)', [lastDay]), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
    }
  }
  if (row.toOrgId) {
    await trx(db.t('employment')).insert({
      id: randomUUID(),
      teacher_id: row.teacherId,
      org_id: row.toOrgId,
      on_quota: row.onQuota,
      starts_on: row.effectiveOn,
      contract_kind: 'employment_contract',
      transfer_id: row.id,
    });
  }
  await enqueueEvent(trx, db, {
    type: EVENT_TYPES.TRANSFER_COMPLETED,
    payload: {
      transferId: row.id,
      teacherId: row.teacherId,
      kind: row.kind,
      fromOrgId: row.fromOrgId,
      toOrgId: row.toOrgId,
      effectiveOn: row.effectiveOn,
    },
  });
}
