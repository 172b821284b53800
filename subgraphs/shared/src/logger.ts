import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one logger per service; secrets never logged. */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
    name: service,
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', `req.headers["x-internal-identity"]`], censor: '[redacted]' },
    },
    destination,
  );
}
