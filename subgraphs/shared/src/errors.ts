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
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  onInternal?.(formatted);
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
