import { badUserInput } from '../../../shared/src/errors';
import { normaliseUuid } from '../../../shared/src/ids';
import { isIsoDate } from '../../../shared/src/scalars';
import { decodeCursor, pageSize, toConnection } from '../../../shared/src/pagination';
import { likePrefix } from '../../../shared/src/org-scope';
import { runMutation } from '../../../shared/src/mutations';
import type { Context } from '../context';
import { todayIso } from '../domain/dates';
import { InputCheck } from '../services/validation';

const RULE_COLUMNS = [
  'id',
  'province_code as provinceCode',
  'unit_category as unitCategory',
  'max_share as maxShare',
  'effective_from as effectiveFrom',
  'effective_to as effectiveTo',
  'source',
];
const toRule = (r: Record<string, unknown>) => ({ ...r, maxShare: Number(r.maxShare), unitCategory: String(r.unitCategory).toUpperCase() });

export const RuleQueries = {
  excellentCapRules: async (_: unknown, args: { provinceCode?: string | null; on?: string | null }, ctx: Context) => {
    const on = args.on ?? todayIso();
    const rows = await ctx.db
      .knex(ctx.db.t('excellent_cap_rule'))
      .select(RULE_COLUMNS)
      .where((q) => (args.provinceCode ? q.whereNull('province_code').orWhere('province_code', args.provinceCode) : q.whereNull('province_code')))
      .where('effective_from', '<=', on)
      .where((q) => q.whereNull('effective_to').orWhere('effective_to', '>=', on))
      .orderBy([{ column: 'province_code', order: 'asc', nulls: 'last' }, { column: 'effective_from', order: 'desc' }]);
    return rows.map(toRule);
  },
  /**
   * The audit trail of ethics access, limited to teachers in the viewer's subtree (teacher_scope in
   * SQL). Auditors are scoped by their organisation like administrators.
   */
  ethicsAccessLog: async (_: unknown, args: { teacherId?: string | null; first?: number | null; after?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const after = decodeCursor(args.after);
    if (after !== null && !/^\d+$/.test(after)) throw badUserInput('after', 'is not a cursor returned by this API');
    const query = ctx.db
      .knex(`${ctx.db.t('ethics_read_audit')} as a`)
      .join(`${ctx.db.t('teacher_scope')} as s`, 's.teacher_id', 'a.teacher_id')
      .select('a.id', 'a.read_at as readAt', 'a.viewer_subject as viewerSubject', 'a.viewer_role as viewerRole', 'a.viewer_org_id as viewerOrgId', 'a.viewer_client_id as viewerClientId', 'a.teacher_id as teacherId', 'a.action', 'a.request_id as requestId')
      .whereRaw('s.org_path like ?', [likePrefix(ctx.viewer.orgPath)])
      .orderBy('a.id', 'desc')
      .limit(limit + 1);
    if (args.teacherId) {
      const teacherId = normaliseUuid(args.teacherId);
      if (!teacherId) throw badUserInput('teacherId', 'is not a teacher id');
      query.where('a.teacher_id', teacherId);
    }
    if (after) query.where('a.id', '<', Number(after));
    const rows = (await query) as { id: number; readAt: Date; teacherId: string }[];
    return toConnection(
      rows.map((r) => ({ ...r, id: String(r.id), readAt: new Date(r.readAt).toISOString() })),
      limit,
      (r) => r.id,
      async () => 0,
    );
  },
};

export const EthicsAccessRecord = {
  teacher: (row: { teacherId: string }) => ({ __typename: 'Teacher', id: row.teacherId }),
};

export const UnitCategory = { DEFAULT: 'default', HIGH_PERFORMING: 'high_performing' };

export const RuleMutations = {
  addExcellentCapRule: async (
    _: unknown,
    args: { input: { unitCategory: string; maxShare: number; effectiveFrom: string; effectiveTo?: string | null; source: string } },
    ctx: Context,
  ) => {
    const { input } = args;
    const check = new InputCheck();
    if (!(input.maxShare > 0 && input.maxShare <= 1)) check.fail('maxShare', 'The share must be more than 0 and at most 1 (e.g. 0.2 for 20%).');
    if (input.effectiveTo && (!isIsoDate(input.effectiveTo) || input.effectiveTo < input.effectiveFrom)) check.fail('effectiveTo', 'The end date cannot be before the start date.');
    const source = check.text(input.source, 'source', 'The policy document', 200, true);
    if (!check.ok) return { rule: null, errors: check.errors };
    // The national administration sets the national default; a province its own rules.
    const provinceCode = ctx.viewer.role === 'national_info_admin' ? null : ctx.viewer.orgId;
    return runMutation(ctx.db.knex, async (trx) => {
      const [row] = await trx(ctx.db.t('excellent_cap_rule'))
        .insert({ province_code: provinceCode, unit_category: input.unitCategory, max_share: input.maxShare, effective_from: input.effectiveFrom, effective_to: input.effectiveTo ?? null, source })
        .returning(RULE_COLUMNS);
      return { rule: toRule(row as Record<string, unknown>) };
    });
  },
};
