import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { badUserInput } from '../../../shared/src/errors';
import { ADMIN_ROLES, levelOfOrgCode, parseAdminRole, ROLES, type OrgLevel, type Role, type Viewer } from '../../../shared/src/identity';
import { normaliseUuid } from '../../../shared/src/ids';
import { appendAudit } from '../../../shared/src/audit';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { likePrefix } from '../../../shared/src/org-scope';
import { decodeCursor, pageSize, toConnection } from '../../../shared/src/pagination';

/**
 * Account management (DOMAIN.md §2): a system administrator "manages accounts of its own level and
 * the administrators one level down". Read in the organisation tree that means:
 *
 * - at its own organisation: any administrator account of that level (system, information, query),
 *   and the analyst and auditor accounts of that organisation;
 * - at an organisation directly below its own (a county under a province with no city level counts
 *   as directly below): administrator accounts of that organisation's level only.
 *
 * Never a neighbouring organisation, never a higher one, never two levels down. The same rule is
 * written twice on purpose: `mayManageAccount` answers with a clear error, and every SQL statement
 * carries the tree condition (`org_unit.path` within the viewer's subtree and `id` or `parent_id`
 * equal to the viewer's organisation), so a slip in one cannot widen the other.
 */
export interface TargetOrg {
  id: string;
  level: OrgLevel;
  parentId: string | null;
  path: string;
}

const OWN_ORGANISATION_PRINCIPALS: readonly Role[] = ['analyst', 'auditor'];

export function mayManageAccount(viewer: Pick<Viewer, 'role' | 'orgId' | 'orgPath'>, role: Role, org: TargetOrg): { ok: true } | { ok: false; field: 'role' | 'organisationId'; reason: string } {
  const admin = parseAdminRole(viewer.role);
  if (!admin || admin.kind !== 'system_admin') return { ok: false, field: 'role', reason: 'Only system administrators manage accounts.' };
  if (!org.path.startsWith(viewer.orgPath)) return { ok: false, field: 'organisationId', reason: 'The organisation is outside your area.' };
  const own = org.id === viewer.orgId;
  const child = org.parentId === viewer.orgId;
  if (!own && !child) return { ok: false, field: 'organisationId', reason: 'You manage accounts of your own organisation and of the organisations directly below it.' };
  const target = parseAdminRole(role);
  if (own) {
    if (target && target.level === org.level) return { ok: true };
    if (OWN_ORGANISATION_PRINCIPALS.includes(role)) return { ok: true };
    return { ok: false, field: 'role', reason: `At your own organisation you manage ${org.level} administrators, analysts and auditors.` };
  }
  if (target && target.level === org.level) return { ok: true };
  return { ok: false, field: 'role', reason: `Below your organisation you manage only ${org.level} administrator accounts.` };
}

export interface AccountRow {
  id: string;
  subject: string;
  name: string;
  role: string;
  orgId: string;
  orgPath: string;
  status: 'active' | 'disabled';
  createdBy: string;
  createdAt: string;
  disabledBy: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  version: number;
}

const COLUMNS = [
  'a.id',
  'a.subject',
  'a.name',
  'a.role',
  'a.org_id as orgId',
  'a.org_path as orgPath',
  'a.status',
  'a.created_by as createdBy',
  'a.created_at as createdAt',
  'a.disabled_by as disabledBy',
  'a.disabled_at as disabledAt',
  'a.disabled_reason as disabledReason',
  'a.version',
];

const toAccount = (r: Record<string, unknown>): AccountRow =>
  ({
    ...r,
    createdAt: new Date(r.createdAt as string).toISOString(),
    disabledAt: r.disabledAt ? new Date(r.disabledAt as string).toISOString() : null,
  }) as AccountRow;

/** The tree condition, in SQL: organisations the viewer manages accounts of. */
function managedOrgs(knex: Knex | Knex.Transaction, db: Db, viewer: Viewer) {
  return knex(db.t('org_unit'))
    .select('id')
    .whereRaw('path like ?', [likePrefix(viewer.orgPath)])
    .where((q) => q.where('id', viewer.orgId).orWhere('parent_id', viewer.orgId));
}

async function findOrg(db: Db, id: string): Promise<TargetOrg | undefined> {
  const row = await db.knex(db.t('org_unit')).first('id', 'level', 'parent_id as parentId', 'path').where('id', id);
  return row as TargetOrg | undefined;
}

export async function listAccounts(db: Db, viewer: Viewer, args: { status?: 'active' | 'disabled' | null; organisationId?: string | null; first?: number | null; after?: string | null }) {
  const limit = pageSize(args);
  const after = decodeCursor(args.after);
  if (after !== null && !/^.+\|[0-9a-f-]{36}$/.test(after)) throw badUserInput('after', 'is not a cursor returned by this API');
  const base = () => {
    const q = db.knex(`${db.t('account')} as a`).whereIn('a.org_id', managedOrgs(db.knex, db, viewer));
    if (args.status) q.where('a.status', args.status);
    if (args.organisationId) q.where('a.org_id', args.organisationId);
    return q;
  };
  const query = base().select(COLUMNS).orderBy([{ column: 'a.subject' }, { column: 'a.id' }]).limit(limit + 1);
  if (after) {
    // A subject may contain '|'; the id after the last one never does.
    const cut = after.lastIndexOf('|');
    query.whereRaw('(a.subject, a.id) > (?, ?)', [after.slice(0, cut), after.slice(cut + 1)]);
  }
  const rows = (await query).map(toAccount);
  return toConnection(rows, limit, (r) => `${r.subject}|${r.id}`, async () => Number((await base().count('* as n').first())?.n ?? 0));
}

const fail = (code: UserError['code'], message: string, field: string): never => {
  throw new UserErrorsAbort([userError(code, message, ['input', field])]);
};

export async function createAccount(db: Db, viewer: Viewer, input: { subject: string; name: string; role: string; organisationId: string }) {
  const subject = input.subject.trim();
  const name = input.name.trim();
  const errors: UserError[] = [];
  if (subject.length < 1 || subject.length > 200) errors.push(userError(UserErrorCode.INVALID_INPUT, 'The subject (the login id the identity provider puts in tokens) must be 1 to 200 characters.', ['input', 'subject']));
  if (name.length < 1 || name.length > 100) errors.push(userError(UserErrorCode.INVALID_INPUT, 'The name must be 1 to 100 characters.', ['input', 'name']));
  if (!(ROLES as readonly string[]).includes(input.role)) errors.push(userError(UserErrorCode.INVALID_INPUT, `Unknown role; one of ${[...ADMIN_ROLES, ...OWN_ORGANISATION_PRINCIPALS].join(', ')}.`, ['input', 'role']));
  // Reads and checks first; the transaction only writes (see README: embedded database rule).
  // An organisation outside the administrator's area answers as if it did not exist, like every
  // other out-of-scope lookup: the answer must not tell whether the code is a unit.
  const found = errors.length === 0 ? await findOrg(db, input.organisationId) : undefined;
  const org = found && found.path.startsWith(viewer.orgPath) ? found : undefined;
  if (errors.length === 0 && !org) errors.push(userError(UserErrorCode.NOT_FOUND, 'No organisation with this code.', ['input', 'organisationId']));
  if (errors.length === 0 && org) {
    const allowed = mayManageAccount(viewer, input.role as Role, org);
    if (!allowed.ok) errors.push(userError(UserErrorCode.RULE_VIOLATION, allowed.reason, ['input', allowed.field]));
    else if (levelOfOrgCode(org.id) !== org.level && parseAdminRole(input.role as Role)) errors.push(userError(UserErrorCode.INVALID_INPUT, 'The organisation code does not match its level.', ['input', 'organisationId']));
  }
  return runMutation(db.knex, async (trx) => {
    if (errors.length) throw new UserErrorsAbort(errors);
    const taken = await trx(db.t('account')).first('id').where('subject', subject);
    if (taken) fail(UserErrorCode.DUPLICATE, 'An account with this subject exists already.', 'subject');
    // The tree condition again, in the statement that writes: no row unless the organisation is managed.
    const inserted = await trx.raw(
      `insert into ${db.t('account')} (id, subject, name, role, org_id, org_path, created_by)
         select ?, ?, ?, ?, o.id, o.path, ? from ${db.t('org_unit')} o
          where o.id = ? and o.path like ? and (o.id = ? or o.parent_id = ?)
       returning id`,
      [randomUUID(), subject, name, input.role, viewer.subject, org!.id, likePrefix(viewer.orgPath), viewer.orgId, viewer.orgId],
    );
    const id = (inserted.rows as { id: string }[])[0]?.id;
    if (!id) fail(UserErrorCode.RULE_VIOLATION, 'You do not manage accounts of this organisation.', 'organisationId');
    const row = await trx(`${db.t('account')} as a`).first(COLUMNS).where('a.id', id);
    return { account: toAccount(row) };
  }, { raceField: ['input', 'subject'] });
}

export async function disableAccount(db: Db, viewer: Viewer, input: { accountId: string; reason: string }) {
  const reason = input.reason.trim();
  const id = normaliseUuid(input.accountId);
  const errors: UserError[] = [];
  if (reason.length < 5 || reason.length > 200) errors.push(userError(UserErrorCode.INVALID_INPUT, 'Give the reason in 5 to 200 characters.', ['input', 'reason']));
  const current = id ? ((await db.knex(`${db.t('account')} as a`).first(COLUMNS).where('a.id', id).whereIn('a.org_id', managedOrgs(db.knex, db, viewer))) as Record<string, unknown> | undefined) : undefined;
  if (!current) errors.push(userError(UserErrorCode.NOT_FOUND, 'No account with this id among the accounts you manage.', ['input', 'accountId']));
  else {
    const org = await findOrg(db, current.orgId as string);
    const allowed = org ? mayManageAccount(viewer, current.role as Role, org) : { ok: false as const, reason: 'Organisation missing.' };
    if (!allowed.ok) errors.push(userError(UserErrorCode.RULE_VIOLATION, allowed.reason, ['input', 'accountId']));
    else if (current.subject === viewer.subject) errors.push(userError(UserErrorCode.RULE_VIOLATION, 'You cannot disable your own account.', ['input', 'accountId']));
    else if (current.status === 'disabled') errors.push(userError(UserErrorCode.INVALID_STATE, 'The account is disabled already.', ['input', 'accountId']));
  }
  return runMutation(db.knex, async (trx) => {
    if (errors.length) throw new UserErrorsAbort(errors);
    const updated = await trx(db.t('account'))
      .where('id', id!)
      .andWhere('status', 'active')
      .whereIn('org_id', managedOrgs(trx, db, viewer))
      .update({ status: 'disabled', disabled_by: viewer.subject, disabled_at: trx.fn.now(), disabled_reason: reason, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
    if (!updated) fail(UserErrorCode.CONFLICT, 'The account changed meanwhile; reload and try again.', 'accountId');
    const row = await trx(`${db.t('account')} as a`).first(COLUMNS).where('a.id', id!);
    return { account: toAccount(row) };
  });
}

/** Subjects whose tokens the gateway must refuse. */
export async function disabledSubjects(db: Db): Promise<string[]> {
  const rows = await db.knex(db.t('account')).select('subject').where('status', 'disabled').orderBy('subject');
  return rows.map((r: { subject: string }) => r.subject);
}

/** One subject's account as the gateway checks it (REQUIRE_ACCOUNT): status, role, organisation. */
export async function accountOfSubject(db: Db, subject: string): Promise<{ status: 'active' | 'disabled'; role: string; orgId: string } | undefined> {
  return db.knex(db.t('account')).first('status', 'role', 'org_id as orgId').where('subject', subject);
}

/**
 * The first system administrator of an installation, for the operator (scripts/bootstrap-account.ts):
 * with REQUIRE_ACCOUNT nobody could sign in to create it through the API. System administrator roles
 * only, at an organisation of the role's level; audited as a write of `operator:<who>`.
 */
export async function bootstrapSystemAdmin(db: Db, input: { subject: string; name: string; role: Role; organisationId: string; operator: string }) {
  const admin = parseAdminRole(input.role);
  if (!admin || admin.kind !== 'system_admin') throw badUserInput('role', 'must be a system administrator role, e.g. national_system_admin');
  const org = await findOrg(db, input.organisationId);
  if (!org || org.level !== admin.level) throw badUserInput('organisationId', `must be an organisation of level ${admin.level}`);
  const actor = { subject: `operator:${input.operator}`, role: 'system', orgId: org.id, orgPath: org.path };
  return db.knex.transaction(async (trx) => {
    const id = randomUUID();
    await trx(db.t('account')).insert({ id, subject: input.subject, name: input.name, role: input.role, org_id: org.id, org_path: org.path, created_by: actor.subject });
    await appendAudit(trx, db, actor, { action: 'bootstrapSystemAdmin', teacherIds: [], result: 'ok', detail: { subject: input.subject, role: input.role, organisationId: org.id } });
    return id;
  });
}
