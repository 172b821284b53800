import { ConfigError, exitOnConfigError } from './config';
import type { Logger } from './logger';

/**
 * Runs a service (or the whole platform) until SIGTERM/SIGINT, then stops it in order and exits 0.
 * A configuration problem met while starting exits 78 with the one clear message; any other
 * start failure exits 1.
 */
export function runUntilSignalled(start: () => Promise<{ stop(): Promise<void> }>, logger: Logger): void {
  start().then(
    (running) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        running.stop().then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    },
    (error) => {
      if (error instanceof ConfigError) exitOnConfigError(error);
      logger.fatal({ err: error }, 'failed to start');
      process.exit(1);
    },
  );
}
