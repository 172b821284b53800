import type { ApolloServerOptions, BaseContext } from '@apollo/server';
import { maskError } from './errors';
import type { Logger } from './logger';

/** Apollo Server settings every server of the platform (gateway and subgraphs) shares. */
export function commonApolloOptions<T extends BaseContext>(logger: Logger): Pick<
  ApolloServerOptions<T>,
  'includeStacktraceInErrorResponses' | 'stopOnTerminationSignals' | 'formatError'
> {
  return {
    includeStacktraceInErrorResponses: false,
    // Shutdown order (HTTP, then Apollo, then the pool) is ours: see process.ts / platform.stop.
    stopOnTerminationSignals: false,
    formatError: (formatted) => maskError(formatted, (internal) => logger.error({ error: internal }, 'internal error')),
  };
}
