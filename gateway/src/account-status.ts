import {
  ACCOUNT_LOOKUP_PATH,
  ACCOUNT_MANAGED_PRINCIPALS,
  ACCOUNT_STATUS_SIGNATURE_HEADER,
  ACCOUNT_STATUS_TIMESTAMP_HEADER,
  DISABLED_ACCOUNTS_PATH,
  signAccountStatusRequest,
  type AccountLookup,
} from '../../subgraphs/shared/src/account-status';
import { ErrorCode, platformError, unauthenticated } from '../../subgraphs/shared/src/errors';
import { parseAdminRole, type Viewer } from '../../subgraphs/shared/src/identity';
import type { Logger } from '../../subgraphs/shared/src/logger';

/**
 * Disabled accounts stop working at the gateway: it keeps the registry's list of disabled subjects
 * in memory and refuses their tokens (401). The list is fetched at start and every `refreshMs`
 * (ACCOUNT_STATUS_REFRESH_MS, 30 s by default), so a disabled account's tokens keep working for
 * at most that long, with no lookup on the request path. If the registry cannot be reached the
 * last list stays in force and the failure is logged.
 *
 * With `requireAccount` (REQUIRE_ACCOUNT, on by default in production) a token of a role that exists
 * only as an account (administrators, analysts, auditors) is refused unless the registry holds an
 * active account for its subject with the token's role and organisation. The answer is asked once per
 * subject and kept `refreshMs`; when the registry cannot be reached a kept answer stays in force, and a
 * subject never seen is refused as unavailable (closed, not open). Teachers have no account (their
 * token names their archive), and partner tokens are checked against their registered client.
 */
export interface AccountStatus {
  isDisabled(subject: string): boolean;
  /** Throws UNAUTHENTICATED when the viewer's token must be refused (disabled, or no matching account). */
  check(viewer: Viewer): Promise<void>;
  refresh(): Promise<void>;
  stop(): void;
}

/** The account cache is bounded: one entry per subject seen, the oldest dropped first past this many. */
const MAX_KEPT_ACCOUNTS = 100_000;

const needsAccount = (role: string) => parseAdminRole(role as Viewer['role']) !== null || (ACCOUNT_MANAGED_PRINCIPALS as readonly string[]).includes(role);

export function watchAccountStatus(options: {
  registryUrl: () => string | undefined;
  secret: string;
  refreshMs: number;
  logger: Logger;
  requireAccount?: boolean;
}): AccountStatus {
  let disabled = new Set<string>();
  const kept = new Map<string, { at: number; account: AccountLookup['account'] }>();
  // Requests of one subject arriving together share one lookup.
  const pending = new Map<string, Promise<AccountLookup['account']>>();
  const lookUp = (subject: string): Promise<AccountLookup['account']> => {
    const cached = kept.get(subject);
    if (cached && Date.now() - cached.at < options.refreshMs) return Promise.resolve(cached.account);
    let lookup = pending.get(subject);
    if (!lookup) {
      lookup = fetchAccount(subject, cached).finally(() => pending.delete(subject));
      pending.set(subject, lookup);
    }
    return lookup;
  };
  const fetchAccount = async (subject: string, cached: { account: AccountLookup['account'] } | undefined): Promise<AccountLookup['account']> => {
    try {
      const base = options.registryUrl();
      if (!base) throw new Error('no registry URL');
      const timestamp = String(Date.now());
      const url = new URL(ACCOUNT_LOOKUP_PATH, base);
      url.searchParams.set('subject', subject);
      const response = await fetch(url, {
        headers: { [ACCOUNT_STATUS_TIMESTAMP_HEADER]: timestamp, [ACCOUNT_STATUS_SIGNATURE_HEADER]: signAccountStatusRequest(timestamp, options.secret, subject) },
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`registry answered HTTP ${response.status}`);
      const { account } = (await response.json()) as AccountLookup;
      kept.delete(subject);
      kept.set(subject, { at: Date.now(), account: account ?? null });
      if (kept.size > MAX_KEPT_ACCOUNTS) kept.delete(kept.keys().next().value as string);
      return account ?? null;
    } catch (error) {
      if (cached) return cached.account;
      options.logger.warn({ err: error }, 'an account could not be checked; the token is refused for now');
      throw platformError(ErrorCode.SUBGRAPH_UNAVAILABLE, 'Your account could not be checked just now; try again shortly.');
    }
  };
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
    async check(viewer) {
      if (disabled.has(viewer.subject)) throw unauthenticated('This account is disabled.');
      if (!options.requireAccount || !needsAccount(viewer.role)) return;
      const account = await lookUp(viewer.subject);
      if (!account) throw unauthenticated('No account for this token: ask your system administrator for one.');
      if (account.status !== 'active') throw unauthenticated('This account is disabled.');
      // The token must say what the account says: a token minted with another role or
      // organisation for the same person is not that account.
      if (account.role !== viewer.role || account.orgId !== viewer.orgId) throw unauthenticated('The token does not match its account (role or organisation).');
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
