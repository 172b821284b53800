import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import type { Logger } from '../../subgraphs/shared/src/logger';

/**
 * Abuse limits applied at the gateway before any subgraph is asked: operation shape limits
 * (graphql-armor validation rules) and request rates per user and per partner client.
 */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  /** Suggestions ("did you mean …") reveal the schema to someone without introspection. */
  blockFieldSuggestions: boolean;
}

export function operationLimitProtection(limits: OperationLimits) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, flattenFragments: true },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
  });
  const protection = armor.protect();
  return { ...protection, plugins: [...protection.plugins, operationResolution] };
}

/**
 * A document with several operations and no operationName (or a name it does not contain) is the
 * client's mistake: 400 here. Left to the gateway's executor it became a masked 500.
 */
const operationResolution: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation(requestContext) {
        if (requestContext.operation) return;
        const name = requestContext.request.operationName;
        throw new GraphQLError(name ? `The document has no operation named "${name}".` : 'The document has several operations: name the one to run in operationName.', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      },
    };
  },
};

export interface RateLimits {
  perUserPerMinute: number;
  perClientPerMinute: number;
  redisUrl?: string;
}

export interface RateLimiter {
  /** Resolves once the shared store answers (or is given up on), so the first requests count in Redis too. */
  ready(): Promise<void>;
  /** Counts one request for the viewer; throws RATE_LIMITED (HTTP 429, Retry-After) when over. */
  consume(viewer: Viewer): Promise<void>;
  close(): Promise<void>;
}

/**
 * Partners are limited per registered client (all their tokens together), everybody else per
 * account. With REDIS_URL the counters are shared by every gateway instance; without, each
 * instance counts on its own.
 */
export function createRateLimiter(limits: RateLimits, logger: Logger): RateLimiter {
  const redis = limits.redisUrl ? new Redis(limits.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : null;
  redis?.on('error', (error) => logger.warn({ err: error }, 'rate-limit store unavailable; falling back to per-instance counting'));
  const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
    if (!redis) return memory;
    // If Redis is down, keep limiting per instance rather than failing every request.
    return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: 60, insuranceLimiter: memory });
  };
  const perUser = make('rl:user', limits.perUserPerMinute);
  const perClient = make('rl:client', limits.perClientPerMinute);

  return {
    async ready() {
      if (!redis) return;
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      // Re-read: the status changed while we waited (TypeScript still holds the earlier narrowing).
      if ((redis.status as string) !== 'ready') logger.warn('rate-limit store not reachable at start; counting per instance until it is');
    },
    async consume(viewer) {
      const [limiter, key] = viewer.clientId ? [perClient, viewer.clientId] : [perUser, viewer.subject];
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        const headers = new HeaderMap([['retry-after', String(retryAfter)]]);
        throw new GraphQLError(`Too many requests: try again in ${retryAfter} s.`, {
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter, http: { status: 429, headers } },
        });
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
