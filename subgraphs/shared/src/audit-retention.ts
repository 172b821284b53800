import { purgeAudit } from './audit';
import type { Db } from './db';
import type { Logger } from './logger';

/**
 * Each subgraph process purges its own audit trail: once shortly after start, then every
 * `intervalMs`. Retention below six months is refused at config time (AUDIT_RETENTION_DAYS), so a
 * purge can never cut into the legal minimum. A failed pass is logged and tried again next time.
 */
export function startAuditRetention(options: { db: Db; retentionDays: number; intervalMs: number; logger: Logger }): { runNow(): Promise<number>; stop(): Promise<void> } {
  const { db, retentionDays, logger } = options;
  let running: Promise<number> | null = null;
  let stopped = false;
  const runNow = () => {
    running ??= purgeAudit(db, retentionDays)
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted, retentionDays }, 'audit entries past retention purged');
        return deleted;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const pass = () => {
    if (stopped) return;
    runNow().catch((error) => logger.warn({ err: error }, 'audit retention purge failed; will retry'));
  };
  // Not at once: startup (migrations, demo data) keeps the database busy enough, and a purge a few
  // minutes later costs nothing the legal minimum cares about.
  const first = setTimeout(pass, Math.min(options.intervalMs, 10 * 60_000));
  const timer = setInterval(pass, options.intervalMs);
  first.unref();
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
