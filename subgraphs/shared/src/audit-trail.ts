import { isObjectType, type GraphQLSchema } from 'graphql';
import { allow, rule, type IRules } from 'graphql-shield';
import { verifyAuditWindow } from './audit';
import type { Db } from './db';
import { badUserInput } from './errors';
import type { Viewer } from './identity';
import { normaliseUuid } from './ids';
import { likePrefix } from './org-scope';
import { decodeCursor, encodeCursor, pageSize } from './pagination';

/**
 * The auditor's view of the trail through the gateway: one root field (`Query.auditTrail`, owned
 * by the registry) answers a federated `AuditTrail` entity whose key is the filter itself; every
 * subgraph that declares `type AuditTrail @key(fields: "id")` with a field of type
 * `AuditTrailPart` contributes its own entries and the verdict of its hash chain. The wiring
 * (resolvers and shield rules) is added by the subgraph server for any subgraph whose SDL has
 * these types, so a subgraph only declares its field.
 *
 * Scope: an auditor sees the entries of actors whose organisation lies in its own subtree (the
 * actor's `org_path`), and nothing else of the platform: every other field denies role `auditor`.
 */
export interface AuditTrailFilter {
  from?: string | null;
  to?: string | null;
  teacherId?: string | null;
  subject?: string | null;
  action?: string | null;
  result?: 'ok' | 'refused' | 'error' | null;
}

/** The newest rows whose chain is re-verified on each query: bounded work, however long the trail. */
export const AUDIT_VERIFY_WINDOW = 10_000;

const RESULTS = new Set(['ok', 'refused', 'error']);

/** Checks and normalises a filter; every problem names its field. */
export function normaliseAuditFilter(input: AuditTrailFilter | null | undefined): AuditTrailFilter {
  const f = input ?? {};
  const out: AuditTrailFilter = {};
  const instant = (name: 'from' | 'to') => {
    const value = f[name];
    if (value == null) return;
    const at = new Date(value);
    if (typeof value !== 'string' || Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
      throw badUserInput(`filter.${name}`, 'must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z');
    }
    out[name] = at.toISOString();
  };
  instant('from');
  instant('to');
  if (out.from && out.to && out.from > out.to) throw badUserInput('filter.to', 'must not be before filter.from');
  if (f.teacherId != null) {
    const id = normaliseUuid(f.teacherId);
    if (!id) throw badUserInput('filter.teacherId', 'is not a teacher id');
    out.teacherId = id;
  }
  for (const name of ['subject', 'action'] as const) {
    const value = f[name];
    if (value == null) continue;
    if (typeof value !== 'string' || value.length < 1 || value.length > 200) throw badUserInput(`filter.${name}`, 'must be 1 to 200 characters');
    out[name] = value;
  }
  if (f.result != null) {
    if (!RESULTS.has(f.result)) throw badUserInput('filter.result', 'must be OK, REFUSED or ERROR');
    out.result = f.result;
  }
  return out;
}

/** The entity key: the normalised filter, as canonical JSON in base64url. */
export function encodeAuditFilter(filter: AuditTrailFilter): string {
  const keys = Object.keys(filter).sort() as (keyof AuditTrailFilter)[];
  return Buffer.from(JSON.stringify(Object.fromEntries(keys.map((k) => [k, filter[k]]))), 'utf8').toString('base64url');
}

export function decodeAuditFilter(id: string): AuditTrailFilter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('id', 'is not an audit trail id returned by this API');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badUserInput('id', 'is not an audit trail id returned by this API');
  return normaliseAuditFilter(parsed as AuditTrailFilter);
}

interface AuditContext {
  db: Db;
  viewer: Viewer;
}

interface AuditRow {
  id: string | number;
  at: Date | string;
  subject: string;
  role: string;
  org_id: string;
  client_id: string | null;
  action: string;
  operation: string | null;
  request_id: string | null;
  teacher_ids: string[];
  result: string;
  detail: unknown;
}

/** One page of this subgraph's entries for the filter, scoped to the auditor's subtree, newest first. */
export async function auditTrailPart(service: string, id: string, args: { first?: number | null; after?: string | null }, ctx: AuditContext) {
  const filter = decodeAuditFilter(id);
  const limit = pageSize(args);
  const after = decodeCursor(args.after);
  if (after !== null && !/^\d+$/.test(after)) throw badUserInput('after', 'is not a cursor returned by this API');
  const { db, viewer } = ctx;
  const query = db
    .knex(db.t('audit_log'))
    .select('id', 'at', 'subject', 'role', 'org_id', 'client_id', 'action', 'operation', 'request_id', 'teacher_ids', 'result', 'detail')
    .where((q) => {
      q.whereRaw('org_path like ?', [likePrefix(viewer.orgPath)]);
      // Rows from before actors' paths were kept belong to no subtree: only a national auditor sees them.
      if (viewer.orgPath === '/CN/') q.orWhereNull('org_path');
    })
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.from) query.where('at', '>=', filter.from);
  if (filter.to) query.where('at', '<=', filter.to);
  if (filter.teacherId) query.whereRaw('teacher_ids @> array[?]::uuid[]', [filter.teacherId]);
  if (filter.subject) query.where('subject', filter.subject);
  if (filter.action) query.where('action', filter.action);
  if (filter.result) query.where('result', filter.result);
  if (after) query.where('id', '<', after);
  // The chain walk costs a read of up to AUDIT_VERIFY_WINDOW rows: only when the auditor asks for it.
  let chainCheck: ReturnType<typeof verifyAuditWindow> | null = null;
  const chain = () => (chainCheck ??= verifyAuditWindow(db, { window: AUDIT_VERIFY_WINDOW }));
  const rows = (await query) as AuditRow[];
  const hasNextPage = rows.length > limit;
  const entries = (hasNextPage ? rows.slice(0, limit) : rows).map((r) => ({
    id: `${service}:${r.id}`,
    key: String(r.id),
    service,
    at: new Date(r.at).toISOString(),
    subject: r.subject,
    role: r.role,
    organisationId: r.org_id,
    clientId: r.client_id,
    action: r.action,
    operation: r.operation,
    requestId: r.request_id,
    teacherIds: r.teacher_ids,
    result: r.result,
    detail: JSON.stringify(r.detail ?? {}),
  }));
  const last = entries[entries.length - 1];
  return {
    service,
    verified: async () => (await chain()).brokenAt === null,
    verifiedEntries: async () => (await chain()).checked,
    firstBrokenEntryId: async () => {
      const { brokenAt } = await chain();
      return brokenAt === null ? null : `${service}:${brokenAt}`;
    },
    entries,
    hasNextPage,
    endCursor: last ? encodeCursor(last.key) : null,
  };
}

const isAuditor = rule('auditTrail:isAuditor', { cache: 'contextual' })((_p, _a, ctx: AuditContext) => ctx.viewer.role === 'auditor');

/**
 * Resolvers and shield rules for the audit trail types a subgraph's SDL declares; nothing for a
 * subgraph that declares none. `service` names the subgraph in entry ids.
 */
export function auditTrailWiring(schema: GraphQLSchema, service: string): { resolvers: Record<string, Record<string, unknown>>; rules: IRules } {
  const trail = schema.getType('AuditTrail');
  if (!trail || !isObjectType(trail)) return { resolvers: {}, rules: {} };
  const partFields = Object.values(trail.getFields()).filter((f) => String(f.type).replace(/!$/, '') === 'AuditTrailPart');
  const resolvers: Record<string, Record<string, unknown>> = {
    AuditTrail: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      ...Object.fromEntries(
        partFields.map((f) => [f.name, (parent: { id: string }, args: { first?: number; after?: string }, ctx: AuditContext) => auditTrailPart(service, parent.id, args, ctx)]),
      ),
    },
  };
  if (schema.getType('AuditResult')) resolvers.AuditResult = { OK: 'ok', REFUSED: 'refused', ERROR: 'error' };
  const rules: Record<string, unknown> = { AuditTrail: isAuditor, AuditTrailPart: allow, AuditEntry: allow };
  const queryType = schema.getQueryType();
  if (queryType?.getFields().auditTrail) {
    resolvers.Query = {
      auditTrail: (_: unknown, args: { filter?: AuditTrailFilter | null }) => ({ id: encodeAuditFilter(normaliseAuditFilter(args.filter)) }),
    };
    rules.Query = { auditTrail: isAuditor };
  }
  return { resolvers, rules: rules as IRules };
}
