import type { GraphQLResolveInfo } from 'graphql';
import { appendAudit, auditRead, auditScopeStorage, type AuditActor, type AuditEntry, type AuditScope } from './audit';
import type { Db } from './db';
import type { Logger } from './logger';

/**
 * Every write is audited without touching its resolver: this middleware wraps each Mutation field,
 * opens an audit scope (who, which mutation, its arguments) for the resolver's async work, and
 * `runMutation` appends the row inside the write's own transaction. What runMutation did not
 * audit is settled here afterwards: a refusal before any transaction (bad input, a rule denied by
 * graphql-shield) is recorded as `refused`, an unexpected throw as `error`, and a write done some
 * other way as `ok`, each in its own small transaction.
 */
interface AuditedContext {
  db: Db;
  viewer: AuditActor;
  requestId?: string;
  logger?: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bounds the walk over arguments and results (a bulk import's answer can be large). */
const MAX_VISITED = 50_000;

/**
 * Teacher ids named in a mutation's arguments or its result: values of `teacherId` / `teacherIds`
 * (and `teacher_id`) at any depth, and the `id` of a `teacher` object. Only well-formed UUIDs
 * count, so a mistyped id in refused input never breaks the audit insert.
 */
export function teacherIdsIn(...values: unknown[]): string[] {
  const found = new Set<string>();
  let visited = 0;
  const add = (v: unknown) => {
    if (typeof v === 'string' && UUID.test(v)) found.add(v.toLowerCase());
  };
  const walk = (value: unknown, depth: number) => {
    if (value === null || typeof value !== 'object' || depth > 6 || visited++ > MAX_VISITED) return;
    if (value instanceof Date || Buffer.isBuffer(value)) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'teacherId' || key === 'teacher_id') add(v);
      else if (key === 'teacherIds' && Array.isArray(v)) v.forEach(add);
      else if (key === 'teacher' && v && typeof v === 'object' && !Array.isArray(v)) add((v as { id?: unknown }).id);
      if (typeof v === 'object') walk(v, depth + 1);
    }
  };
  for (const value of values) walk(value, 0);
  return [...found].sort();
}

/** Error codes and fields of a refused write: enough to see why, never the values entered. */
export function refusalDetail(errors: readonly { code: string; field?: string[] }[]): Record<string, unknown> {
  return { errors: errors.slice(0, 20).map((e) => ({ code: e.code, ...(e.field ? { field: e.field } : {}) })) };
}

/** Appends a row for this scope in its own transaction (after the write's transaction rolled back). */
export async function recordOutcome(
  scope: AuditScope,
  result: AuditEntry['result'],
  detail: Record<string, unknown>,
  options: { extra?: unknown[]; force?: boolean } = {},
): Promise<void> {
  if (scope.audited && !options.force) return;
  scope.audited = true;
  try {
    await scope.db.knex.transaction((trx) =>
      appendAudit(trx, scope.db, scope.actor, {
        action: scope.action,
        operation: scope.operation,
        teacherIds: teacherIdsIn(scope.args, ...(options.extra ?? [])),
        result,
        detail,
        requestId: scope.requestId,
      }),
    );
  } catch (error) {
    scope.onAuditFailure?.(error);
  }
}

/**
 * The operation name the client sent: the gateway names each subgraph fetch
 * `<operation>__<subgraph>__<n>`, which says nothing an auditor searches for.
 */
export function clientOperationName(name: string | undefined): string | null {
  if (!name) return null;
  return name.replace(/__[A-Za-z0-9_]+?__\d+$/, '') || name;
}

const errorCode = (error: unknown): string | undefined => (error as { extensions?: { code?: unknown } })?.extensions?.code as string | undefined;

/** Denials and input errors are refusals; anything else that escaped the resolver is an error. */
const REFUSAL_CODES = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);

type Resolve = (parent: unknown, args: Record<string, unknown>, ctx: AuditedContext, info: GraphQLResolveInfo) => unknown;

export const auditMutationMiddleware = async (resolve: Resolve, parent: unknown, args: Record<string, unknown>, ctx: AuditedContext, info: GraphQLResolveInfo): Promise<unknown> => {
  const scope: AuditScope = {
    db: ctx.db,
    actor: ctx.viewer,
    action: info.fieldName,
    operation: clientOperationName(info.operation.name?.value),
    requestId: ctx.requestId ?? null,
    args: (args ?? {}) as Record<string, unknown>,
    audited: false,
    onAuditFailure: (error) => ctx.logger?.error({ err: error, action: info.fieldName }, 'audit row could not be written'),
  };
  return auditScopeStorage.run(scope, async () => {
    let result: unknown;
    try {
      result = await resolve(parent, args, ctx, info);
    } catch (error) {
      const code = errorCode(error);
      // Recorded even after an earlier write of this resolver was: this failure is its own outcome.
      await recordOutcome(scope, code && REFUSAL_CODES.has(code) ? 'refused' : 'error', { error: code ?? 'INTERNAL' }, { force: true });
      throw error;
    }
    if (!scope.audited) {
      if (result instanceof Error) {
        // graphql-shield answers a denied field with its error as the value.
        const code = errorCode(result);
        await recordOutcome(scope, code && REFUSAL_CODES.has(code) ? 'refused' : 'error', { error: code ?? 'INTERNAL' });
      } else {
        const errors = (result as { errors?: { code: string; field?: string[] }[] } | null)?.errors;
        if (Array.isArray(errors) && errors.length > 0) await recordOutcome(scope, 'refused', refusalDetail(errors));
        else await recordOutcome(scope, 'ok', {}, { extra: [result] });
      }
    }
    return result;
  });
};

/** graphql-middleware map: every field of the Mutation type. */
export const auditMiddleware = { Mutation: auditMutationMiddleware };

/**
 * graphql-shield's fallback error, wrapped so that a read the rules deny is recorded too, as
 * `denied:<Type.field>` with result `refused` (a write the rules deny is recorded by the mutation
 * middleware instead). One entry per field per request, however many rows asked for it; for a
 * field of Teacher the first teacher asked about is named.
 */
export function auditDeniedReads(fallbackError: () => Error) {
  const seen = new WeakMap<object, Set<string>>();
  return async (_thrown: unknown, parent: unknown, _args: unknown, context: unknown, info: GraphQLResolveInfo | undefined): Promise<Error> => {
    const ctx = context as AuditedContext | undefined;
    if (ctx?.db && ctx.viewer && info && info.parentType.name !== 'Mutation') {
      const coordinate = `${info.parentType.name}.${info.fieldName}`;
      let fields = seen.get(ctx);
      if (!fields) seen.set(ctx, (fields = new Set()));
      if (!fields.has(coordinate)) {
        fields.add(coordinate);
        const parentId = (parent as { id?: unknown } | null)?.id;
        const teacherIds = info.parentType.name === 'Teacher' && typeof parentId === 'string' && UUID.test(parentId) ? [parentId.toLowerCase()] : [];
        try {
          await auditRead(ctx, { action: `denied:${coordinate}`, teacherIds, result: 'refused', detail: { field: coordinate, operation: clientOperationName(info.operation.name?.value) } });
        } catch (error) {
          ctx.logger?.error({ err: error, field: coordinate }, 'audit row of a denied read could not be written');
        }
      }
    }
    return fallbackError();
  };
}
