import { ACCOUNT_STATUS_SIGNATURE_HEADER, ACCOUNT_STATUS_TIMESTAMP_HEADER, DISABLED_ACCOUNTS_PATH, signAccountStatusRequest } from '../../subgraphs/shared/src/account-status';
import type { Logger } from '../../subgraphs/shared/src/logger';

/**
 * Disabled accounts stop working at the gateway: it keeps the registry's list of disabled subjects
 * in memory and refuses their tokens (401). The list is fetched at start and every `refreshMs`
 * (ACCOUNT_STATUS_REFRESH_MS, 30 s by default), so a disabled account's tokens keep working for
 * at most that long, with no lookup on the request path. If the registry cannot be reached the
 * last list stays in force and the failure is logged.
 */
export interface AccountStatus {
  isDisabled(subject: string): boolean;
  refresh(): Promise<void>;
  stop(): void;
}

export function watchAccountStatus(options: { registryUrl: () => string | undefined; secret: string; refreshMs: number; logger: Logger }): AccountStatus {
  let disabled = new Set<string>();
  let inFlight: Promise<void> | null = null;
  const fetchOnce = async () => {
    const base = options.registryUrl();
    if (!base) return;
    const timestamp = String(Date.now());
    const response = await fetch(new URL(DISABLED_ACCOUNTS_PATH, base), {
      headers: { [ACCOUNT_STATUS_TIMESTAMP_HEADER]: timestamp, [ACCOUNT_STATUS_SIGNATURE_HEADER]: signAccountStatusRequest(timestamp, options.secret) },
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`registry answered HTTP ${response.status}`);
    const body = (await response.json()) as { disabledSubjects?: unknown };
    if (!Array.isArray(body.disabledSubjects)) throw new Error('registry answered without disabledSubjects');
    disabled = new Set(body.disabledSubjects.filter((s): s is string => typeof s === 'string'));
  };
  const refresh = () => {
    inFlight ??= fetchOnce()
      .catch((error) => options.logger.warn({ err: error }, 'disabled accounts could not be refreshed; the last list stays in force'))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const timer = setInterval(() => void refresh(), options.refreshMs);
  timer.unref();
  void refresh();
  return {
    isDisabled: (subject) => disabled.has(subject),
    refresh,
    stop: () => clearInterval(timer),
  };
}
