import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import Redis from 'ioredis';
import { ErrorCode } from '../../subgraphs/shared/src/errors';
import type { Logger } from '../../subgraphs/shared/src/logger';
import type { GatewayContext } from './server';

/**
 * Idempotency keys for mutations (`Idempotency-Key` header): a client that lost the answer to a
 * mutation can send it again with the same key and gets the first answer back instead of a second
 * write; the same key with a different mutation or variables is refused. Keys are per account and
 * kept for `ttlSeconds`. With REDIS_URL they are shared by every gateway instance; without, each
 * instance remembers its own.
 */
interface StoredOutcome {
  fingerprint: string;
  state: 'pending' | 'done';
  response?: { body: unknown; status?: number };
}

export interface IdempotencyStore {
  get(key: string): Promise<StoredOutcome | null>;
  /** Claims the key for a first execution; false when someone else holds it. */
  reserve(key: string, fingerprint: string): Promise<boolean>;
  complete(key: string, outcome: StoredOutcome): Promise<void>;
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

export function createIdempotencyStore(options: { redisUrl?: string; ttlSeconds: number; maxEntries?: number }, logger: Logger): IdempotencyStore {
  if (options.redisUrl) {
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', (error) => logger.warn({ err: error }, 'idempotency store unavailable'));
    const k = (key: string) => `idem:${key}`;
    return {
      async get(key) {
        const value = await redis.get(k(key));
        return value ? (JSON.parse(value) as StoredOutcome) : null;
      },
      async reserve(key, fingerprint) {
        const ok = await redis.set(k(key), JSON.stringify({ fingerprint, state: 'pending' }), 'EX', options.ttlSeconds, 'NX');
        return ok === 'OK';
      },
      async complete(key, outcome) {
        await redis.set(k(key), JSON.stringify(outcome), 'EX', options.ttlSeconds);
      },
      async release(key) {
        await redis.del(k(key));
      },
      async close() {
        redis.disconnect();
      },
    };
  }
  const entries = new Map<string, StoredOutcome & { expiresAt: number }>();
  const maxEntries = options.maxEntries ?? 100_000;
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt < Date.now()) entries.delete(key);
    return entries.get(key) ?? null;
  };
  const put = (key: string, outcome: StoredOutcome) => {
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(key, { ...outcome, expiresAt: Date.now() + options.ttlSeconds * 1000 });
  };
  return {
    get: async (key) => live(key),
    async reserve(key, fingerprint) {
      if (live(key)) return false;
      put(key, { fingerprint, state: 'pending' });
      return true;
    },
    complete: async (key, outcome) => put(key, outcome),
    release: async (key) => void entries.delete(key),
    close: async () => undefined,
  };
}

const KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

function refusal(status: number, code: string, message: string): GraphQLResponse {
  return { http: { status, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { errors: [{ message, extensions: { code } }] } } };
}

export function idempotencyPlugin(store: IdempotencyStore): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const key = request.http?.headers.get('idempotency-key');
      if (!key) return {};
      let claimed: string | null = null;
      return {
        async responseForOperation({ operation }) {
          if (operation.operation !== 'mutation') return null; // queries are safe to repeat
          if (!KEY_PATTERN.test(key)) return refusal(400, ErrorCode.BAD_USER_INPUT, 'Idempotency-Key: 8 to 128 letters, digits, - or _.');
          const scoped = `${contextValue.viewer.subject}:${key}`;
          const fingerprint = createHash('sha256').update(JSON.stringify([request.query ?? '', request.operationName ?? null, request.variables ?? {}])).digest('hex');
          const existing = await store.get(scoped);
          if (existing) {
            if (existing.fingerprint !== fingerprint) {
              return refusal(422, ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different mutation or different variables.');
            }
            if (existing.state === 'pending' || !existing.response) {
              return refusal(409, ErrorCode.IDEMPOTENCY_IN_PROGRESS, 'The first request with this Idempotency-Key is still running; retry shortly.');
            }
            const headers = new HeaderMap([['idempotent-replayed', 'true']]);
            return { http: { status: existing.response.status, headers }, body: { kind: 'single', singleResult: existing.response.body as never } };
          }
          if (!(await store.reserve(scoped, fingerprint))) {
            return refusal(409, ErrorCode.IDEMPOTENCY_IN_PROGRESS, 'The first request with this Idempotency-Key is still running; retry shortly.');
          }
          claimed = scoped;
          // The subgraphs record it in the write's own transaction, so even a gateway that dies
          // before storing the answer cannot let a replay write twice.
          contextValue.idempotencyKey = createHash('sha256').update(scoped).digest('hex');
          return null;
        },
        async willSendResponse({ response }) {
          if (!claimed) return;
          const key = claimed;
          claimed = null;
          if (response.body.kind !== 'single') return store.release(key);
          // A failure of the platform (5xx) may be retried with the same key; an answer is final.
          const status = response.http.status ?? 200;
          if (status >= 500) return store.release(key);
          const fingerprint = (await store.get(key))?.fingerprint ?? '';
          await store.complete(key, { fingerprint, state: 'done', response: { body: response.body.singleResult, status: response.http.status } });
        },
      };
    },
  };
}
