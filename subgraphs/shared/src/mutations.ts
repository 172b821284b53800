import type { Knex } from 'knex';
import { appendAudit, currentAuditScope } from './audit';
import { recordOutcome, refusalDetail, teacherIdsIn } from './audit-context';
import { claimIdempotencyRecord } from './idempotency-record';

/**
 * Mutations answer expected business outcomes as values, not exceptions: every payload is
 * `{ <result>, errors: [UserError!]! }`. Each subgraph declares the same SDL type:
 *
 *   """An expected problem with the input or the state, for the user to fix."""
 *   type UserError @shareable { code: String! message: String! field: [String!] }
 *
 * Codes are stable and listed here; messages are for people; `field` is the input path
 * (e.g. ["input", "idNumber"]).
 */
export const UserErrorCode = {
  /** A value is malformed or out of range (field names which). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** A referenced record does not exist or is outside the viewer's scope. */
  NOT_FOUND: 'NOT_FOUND',
  /** Optimistic concurrency: the record changed since the client read `version`. */
  CONFLICT: 'CONFLICT',
  /** The same person or record already exists. */
  DUPLICATE: 'DUPLICATE',
  /** The field is locked by a pending change request or an approved state. */
  LOCKED: 'LOCKED',
  /** The workflow does not allow this step from the record's current state. */
  INVALID_STATE: 'INVALID_STATE',
  /** A domain rule refuses the request (quota exceeded, cap reached, ban in force …). */
  RULE_VIOLATION: 'RULE_VIOLATION',
} as const;
export type UserErrorCode = (typeof UserErrorCode)[keyof typeof UserErrorCode];

export interface UserError {
  code: UserErrorCode;
  message: string;
  field?: string[];
}

export const userError = (code: UserErrorCode, message: string, field?: string[]): UserError => ({
  code,
  message,
  ...(field ? { field } : {}),
});

/** Thrown inside a transaction to roll it back and answer the payload with these errors. */
export class UserErrorsAbort extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/**
 * Runs a write in one transaction. Throwing `UserErrorsAbort` rolls everything back and yields
 * `{ errors }`; success yields the result with `errors: []`. Nothing is stored unless all of it is.
 *
 * Inside a mutation resolver (an audit scope, see audit-context.ts) the write's audit row is
 * appended last in the same transaction, so the write and its record commit together or not at
 * all; a refusal or a crash rolls the write back and is recorded in its own small transaction.
 */
export async function runMutation<T extends object>(
  knex: Knex,
  work: (trx: Knex.Transaction) => Promise<T>,
  /** The input field a write collision is about (e.g. the credits used), for the CONFLICT error. */
  options: { raceField?: string[] } = {},
): Promise<T & { errors: UserError[] }> {
  const scope = currentAuditScope();
  try {
    const result = await knex.transaction(async (trx) => {
      // A replay of a request whose write already committed (the gateway lost its answer) stores nothing.
      if (!(await claimIdempotencyRecord(trx))) {
        throw new UserErrorsAbort([userError(UserErrorCode.DUPLICATE, 'This request was already carried out under its Idempotency-Key; nothing was stored again.')]);
      }
      const done = await work(trx);
      if (scope) {
        await appendAudit(trx, scope.db, scope.actor, {
          action: scope.action,
          operation: scope.operation,
          teacherIds: teacherIdsIn(scope.args, done, { teacherIds: [...(scope.touched ?? [])] }),
          result: 'ok',
          requestId: scope.requestId,
        });
      }
      return done;
    });
    if (scope) scope.audited = true;
    return { ...result, errors: [] };
  } catch (error) {
    if (error instanceof UserErrorsAbort) {
      if (scope) await recordOutcome(scope, 'refused', refusalDetail(error.errors), { force: true });
      return { errors: error.errors } as T & { errors: UserError[] };
    }
    const raced = concurrencyOutcome(error, options.raceField);
    if (raced) {
      if (scope) await recordOutcome(scope, 'refused', refusalDetail([raced]), { force: true });
      return { errors: [raced] } as T & { errors: UserError[] };
    }
    // Anything else is settled by the audit middleware: the resolver may still turn it into a
    // refusal in its payload (recorded `refused`) or let it escape (recorded `error`).
    throw error;
  }
}

/**
 * Races that only the database sees (two writers passing the same "does it exist?" check, a
 * serialization failure or a deadlock) are expected outcomes, not crashes: the transaction rolled
 * back, nothing was stored, and the caller is told to retry (CONFLICT).
 */
function concurrencyOutcome(error: unknown, field?: string[]): UserError | null {
  const code = (error as { code?: unknown }).code;
  // Callers that know the domain meaning catch these inside their transaction (e.g. DUPLICATE for
  // a person registered twice); whatever reaches here is a plain collision of two writers.
  if (code === '23505' || code === '40001' || code === '40P01') {
    return userError(UserErrorCode.CONFLICT, 'Another request wrote the same data at the same moment; nothing was stored. Reload and try again.', field);
  }
  return null;
}

/**
 * Optimistic concurrency: updates the row only if its `version` is still `expectedVersion`, and
 * bumps it. A stale version aborts with CONFLICT, so the write changes nothing.
 */
export async function updateWithVersion<R extends object>(
  trx: Knex.Transaction,
  table: string,
  id: { column: string; value: string } | { key: Record<string, string | number> },
  expectedVersion: number,
  patch: Record<string, unknown>,
  field: string[] = ['input', 'version'],
): Promise<R> {
  // A row is named by one id column, or by its composite key (e.g. unit and year).
  const where = 'key' in id ? id.key : { [id.column]: id.value };
  const rows = (await trx(table)
    .where(where)
    .andWhere('version', expectedVersion)
    .update({ ...patch, version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning('*')) as R[];
  const row = rows[0];
  if (!row) {
    throw new UserErrorsAbort([userError(UserErrorCode.CONFLICT, 'The record was changed by someone else since you loaded it; reload and try again.', field)]);
  }
  return row;
}
