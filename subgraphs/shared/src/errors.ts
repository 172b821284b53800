import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The one registry of `extensions.code` values clients may rely on. Expected business outcomes are
 * values in the schema (payload `errors`); these codes are for failures.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  /** Too many requests for this account or partner client; see Retry-After. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A subgraph did not answer (down, slow, failing): its fields are missing; the rest is served. */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** The Idempotency-Key was already used for a different mutation or variables. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with this Idempotency-Key has not finished yet. */
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  /** A database statement ran past STATEMENT_TIMEOUT_MS (or waited that long for a lock) and was cancelled; nothing was stored. */
  DATABASE_TIMEOUT: 'DATABASE_TIMEOUT',
  /** The database could not be reached or dropped the connection (restart, failover); nothing was stored. Retry. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

export function platformError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, { extensions: { code, ...extra, ...(status ? { http: { status } } : {}) } });
}

export const unauthenticated = (message = 'Authentication required: send a valid bearer token.') =>
  platformError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed for this account.') => platformError(ErrorCode.FORBIDDEN, message);
export const badUserInput = (field: string, reason: string) =>
  platformError(ErrorCode.BAD_USER_INPUT, `${field}: ${reason}`, { field });

/** Codes produced by graphql-js / Apollo itself for malformed requests; safe to pass through. */
const PASS_THROUGH = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Never let a stack trace, SQL text or internal URL reach a client: anything that is not a known,
 * deliberately raised error becomes a generic INTERNAL_SERVER_ERROR (the original is logged).
 */
export function maskError(formatted: GraphQLFormattedError, onInternal?: (error: GraphQLFormattedError) => void): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  // Apollo gives every unexpected error (a failed SQL statement included) the code
  // INTERNAL_SERVER_ERROR before formatError runs, so that code never passes with its message.
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && PASS_THROUGH.has(code)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  onInternal?.(formatted);
  const serviceName = formatted.extensions?.serviceName;
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    // Which subgraph failed is safe to say (the gateway adds it); its message is not.
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(typeof serviceName === 'string' ? { serviceName } : {}) },
  };
}

/** PostgreSQL and driver failures that say "the database", not "this request", went wrong. */
const DATABASE_TIMEOUT_CODES = new Set(['57014', '55P03', '25P03']);
const DATABASE_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * A database timeout or outage as a clear, retryable error instead of a bare INTERNAL_SERVER_ERROR:
 * the client learns that nothing was stored and that trying again is the right move, and still sees
 * no SQL or address. `error` is the original error Apollo hands to formatError.
 */
export function databaseFailure(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause && typeof cause === 'object'; depth += 1) {
    const { code, name, message } = cause as { code?: unknown; name?: unknown; message?: unknown };
    const path = formatted.path ? { path: formatted.path } : {};
    if (typeof code === 'string' && DATABASE_TIMEOUT_CODES.has(code)) {
      return { message: 'The database did not finish in time and the operation was cancelled; nothing was stored. Try again.', ...path, extensions: { code: ErrorCode.DATABASE_TIMEOUT } };
    }
    const unreachable =
      (typeof code === 'string' && DATABASE_UNAVAILABLE_CODES.has(code)) ||
      name === 'KnexTimeoutError' ||
      (typeof message === 'string' && /Connection terminated|Client has encountered a connection error/.test(message));
    if (unreachable) {
      return { message: 'The database is unavailable at the moment; nothing was stored. Try again shortly.', ...path, extensions: { code: ErrorCode.DATABASE_UNAVAILABLE } };
    }
    cause = (cause as { originalError?: unknown; cause?: unknown }).originalError ?? (cause as { cause?: unknown }).cause;
  }
  return null;
}
