import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The registry tells the gateway which accounts are disabled (GET DISABLED_ACCOUNTS_PATH on the
 * registry). Only platform services may ask: the request carries a millisecond timestamp and its
 * HMAC under the internal identity secret, accepted for 60 seconds.
 */
export const DISABLED_ACCOUNTS_PATH = '/internal/disabled-accounts';
export const ACCOUNT_STATUS_SIGNATURE_HEADER = 'x-internal-signature';
export const ACCOUNT_STATUS_TIMESTAMP_HEADER = 'x-internal-timestamp';

/**
 * GET ACCOUNT_LOOKUP_PATH?subject=…: one account's status, role and organisation, for the gateway
 * when REQUIRE_ACCOUNT is on. Signed the same way, over the subject too, so a captured signature
 * answers for that subject only.
 */
export const ACCOUNT_LOOKUP_PATH = '/internal/account';

/** Roles that exist only as accounts (DOMAIN.md §2): administrators, analysts and auditors. */
export const ACCOUNT_MANAGED_PRINCIPALS = ['analyst', 'auditor'] as const;

export function signAccountStatusRequest(timestamp: string, secret: string, subject?: string): string {
  const purpose = subject === undefined ? 'disabled-accounts' : `account:${subject}`;
  return createHmac('sha256', secret).update(`${purpose}:${timestamp}`).digest('base64url');
}

export function accountStatusRequestValid(timestamp: string, signature: string, secret: string, now = Date.now(), subject?: string): boolean {
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) >= 60_000) return false;
  const given = Buffer.from(signature);
  const expected = Buffer.from(signAccountStatusRequest(timestamp, secret, subject));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What the registry answers for one subject: its account, or null when it has none. */
export interface AccountLookup {
  account: { status: 'active' | 'disabled'; role: string; orgId: string } | null;
}
