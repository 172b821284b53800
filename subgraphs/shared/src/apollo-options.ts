import type { ApolloServerOptions, BaseContext } from '@apollo/server';
import { databaseFailure, maskError } from './errors';
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
    formatError: (formatted, error) => {
      const database = databaseFailure(formatted, error);
      if (database) {
        logger.warn({ error: formatted, code: database.extensions?.code }, 'database failure');
        return database;
      }
      return maskError(formatted, (internal) => logger.error({ error: internal }, 'internal error'));
    },
  };
}
