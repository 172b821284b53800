import { randomUUID } from 'node:crypto';
import type { Db } from '../../../shared/src/db';
import { appendAudit, auditRead } from '../../../shared/src/audit';
import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { isIsoDate } from '../../../shared/src/scalars';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import type { Context } from '../context';
import { writeChangeLog } from '../repositories/change-requests';
import type { SubRecordRow } from '../repositories/sub-records';
import { loadTeacherForWrite } from './archive-writes';

/**
 * Basic pay and benefits [基本待遇] (DOMAIN.md §3): the school enters it, everybody else sees it as
 * 1,000-yuan bands, and exact amounts come only from `revealPay`, which is scoped, needs a stated
 * reason and is audited whether granted or refused (like revealPersonalDetails).
 */

/** Bands are 1,000 yuan wide; everything from 15,000 up is one open band, so top earners do not stand out. */
export const PAY_BAND_WIDTH = 1000;
export const PAY_BAND_TOP = 15000;

export function payBand(amount: number): { code: string; label: string } {
  if (amount >= PAY_BAND_TOP) return { code: `${PAY_BAND_TOP}_and_over`, label: `${PAY_BAND_TOP}元及以上` };
  const low = Math.floor(Math.max(0, amount) / PAY_BAND_WIDTH) * PAY_BAND_WIDTH;
  return { code: `${low}_${low + PAY_BAND_WIDTH - 1}`, label: `${low}–${low + PAY_BAND_WIDTH - 1}元` };
}

/** The same bands in SQL, for statistics over many teachers (must agree with payBand). */
export const PAY_BAND_SQL = (expression: string) => {
  const total = `(${expression})`;
  return `case when ${total} is null then null
  when ${total} >= ${PAY_BAND_TOP} then '${PAY_BAND_TOP}_and_over'
  else (floor(${total} / ${PAY_BAND_WIDTH}) * ${PAY_BAND_WIDTH})::int || '_' || (floor(${total} / ${PAY_BAND_WIDTH}) * ${PAY_BAND_WIDTH} + ${PAY_BAND_WIDTH - 1})::int end`;
};

export const payBandLabel = (code: string): string =>
  code.endsWith('_and_over') ? `${code.split('_')[0]}元及以上` : `${code.replace('_', '–')}元`;

/** A pay row as the API shows it: bands always, exact amounts only on the audited reveal path. */
export function payRecord(row: SubRecordRow, revealed = false) {
  const basic = Number(row.basicMonthlyPay);
  const allowances = Number(row.monthlyAllowances);
  return {
    ...row,
    postGrade: row.postGrade,
    salaryStep: row.salaryStep,
    effectiveFrom: row.effectiveFrom,
    basicMonthlyPayBand: payBand(basic).label,
    monthlyAllowancesBand: payBand(allowances).label,
    totalMonthlyPayBand: payBand(basic + allowances).label,
    basicMonthlyPay: revealed ? basic : null,
    monthlyAllowances: revealed ? allowances : null,
    revealed,
  };
}

export interface AddPayRecordInput {
  teacherId: string;
  postGrade: number;
  salaryStep: number;
  basicMonthlyPay: number;
  monthlyAllowances?: number | null;
  effectiveFrom: string;
}

const MAX_MONTHLY_AMOUNT = 200000;

function validatePay(input: AddPayRecordInput): UserError[] {
  const errors: UserError[] = [];
  const invalid = (field: string, message: string) => errors.push(userError(UserErrorCode.INVALID_INPUT, `${field}: ${message}`, ['input', field]));
  if (!Number.isInteger(input.postGrade) || input.postGrade < 1 || input.postGrade > 13) invalid('postGrade', 'must be a post grade from 1 to 13');
  if (!Number.isInteger(input.salaryStep) || input.salaryStep < 1 || input.salaryStep > 65) invalid('salaryStep', 'must be a salary step from 1 to 65');
  const amount = (field: 'basicMonthlyPay' | 'monthlyAllowances', value: number, minimum: number) => {
    if (!Number.isFinite(value) || value < minimum || value > MAX_MONTHLY_AMOUNT) {
      invalid(field, `must be ${minimum === 0 ? 'from 0' : 'more than 0'} up to ${MAX_MONTHLY_AMOUNT} yuan a month (got ${value})`);
    } else if (Math.round(value * 100) !== Number((value * 100).toFixed(6))) invalid(field, 'must be in yuan with at most two decimals (fen)');
  };
  amount('basicMonthlyPay', input.basicMonthlyPay, 0.01);
  amount('monthlyAllowances', input.monthlyAllowances ?? 0, 0);
  if (!isIsoDate(input.effectiveFrom)) invalid('effectiveFrom', `"${input.effectiveFrom}" is not a calendar date (YYYY-MM-DD)`);
  return errors;
}

/** The school's information administrator enters pay (DOMAIN.md §3: "the school enters … pay"). */
export function addPayRecord(db: Db, viewer: Viewer, input: AddPayRecordInput) {
  return runMutation(db.knex, async (trx) => {
    if (parseAdminRole(viewer.role)?.level !== 'school') {
      throw new UserErrorsAbort([userError(UserErrorCode.RULE_VIOLATION, 'pay is entered by the school information administrator', ['input'])]);
    }
    const errors = validatePay(input);
    if (errors.length) throw new UserErrorsAbort(errors);
    const teacher = await loadTeacherForWrite(trx, db, viewer, input.teacherId, ['input', 'teacherId']);
    if (input.effectiveFrom < (teacher.startedWorkOn ?? '0000')) {
      throw new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, 'effectiveFrom: cannot be before the teacher started work', ['input', 'effectiveFrom'])]);
    }
    const id = randomUUID();
    await trx(db.t('teacher_pay')).insert({
      id,
      teacher_id: teacher.id,
      post_grade: input.postGrade,
      salary_step: input.salaryStep,
      basic_monthly_pay: input.basicMonthlyPay,
      monthly_allowances: input.monthlyAllowances ?? 0,
      effective_from: input.effectiveFrom,
      source_system: 'teacher-registry',
      entered_by: viewer.subject,
      entered_role: viewer.role,
      verified: false,
    });
    // The history names the record, never the amounts: it is shown to more people than pay is.
    await writeChangeLog(trx, db, [
      { teacher_id: teacher.id, action: 'pay_added', after: { recordId: id }, actor: viewer.subject, actor_role: viewer.role, source_system: 'teacher-registry', authority: 'direct_entry' },
    ]);
    return { teacherId: teacher.id, recordId: id };
  });
}

/**
 * Exact amounts for one audited request: information administrators of the teacher's area or the
 * teacher themself (the shield rule), scoped by the teacher loader, with a purpose of 5–200
 * characters. The audit row keeps who, why and whose pay, never the amounts.
 */
export async function revealPay(ctx: Context, input: { teacherId: string; reason: string }) {
  const reason = input.reason.trim();
  const teacherId = normaliseUuid(input.teacherId);
  const teacher = teacherId ? await ctx.loaders.teacherById.load(teacherId) : null;
  const errors: UserError[] = [];
  if (reason.length < 5 || reason.length > 200) errors.push(userError(UserErrorCode.INVALID_INPUT, 'reason: give the purpose in 5 to 200 characters', ['input', 'reason']));
  if (!teacher) errors.push(userError(UserErrorCode.NOT_FOUND, 'teacherId: no teacher with this id in your area', ['input', 'teacherId']));
  const rows = teacher && errors.length === 0 ? await ctx.loaders.subRecordsByTeacherId.pay.load(teacher.id) : [];
  await ctx.db.knex.transaction((trx) =>
    appendAudit(trx, ctx.db, ctx.viewer, {
      action: 'reveal_pay',
      // Refused for a teacher out of scope too: the id asked for is named, so an auditor filtering
      // by that teacher sees the attempt.
      teacherIds: teacher ? [teacher.id] : teacherId ? [teacherId] : [],
      result: errors.length ? 'refused' : 'ok',
      detail: { reason: reason.slice(0, 200), fields: ['payRecords'], ...(teacher ? {} : { requestedTeacherId: input.teacherId.slice(0, 64) }) },
    }),
  );
  return { payRecords: errors.length ? [] : rows.map((r) => payRecord(r, true)), errors };
}

/**
 * Reading pay, even as bands, is a sensitive read: one audit row per request batch (the loader
 * collects every teacher whose pay the request reads), written before any value is returned.
 */
export async function auditPayRead(db: Db, viewer: Viewer, teacherIds: readonly string[], requestId?: string | null): Promise<void> {
  await auditRead({ db, viewer, requestId }, { action: 'read_pay', teacherIds, detail: { fields: ['payRecords'] } });
}
