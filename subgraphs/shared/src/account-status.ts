import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The registry tells the gateway which accounts are disabled (GET DISABLED_ACCOUNTS_PATH on the
 * registry). Only platform services may ask: the request carries a millisecond timestamp and its
 * HMAC under the internal identity secret, accepted for 60 seconds.
 */
export const DISABLED_ACCOUNTS_PATH = '/internal/disabled-accounts';
export const ACCOUNT_STATUS_SIGNATURE_HEADER = 'x-internal-signature';
export const ACCOUNT_STATUS_TIMESTAMP_HEADER = 'x-internal-timestamp';

export function signAccountStatusRequest(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`disabled-accounts:${timestamp}`).digest('base64url');
}

export function accountStatusRequestValid(timestamp: string, signature: string, secret: string, now = Date.now()): boolean {
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) >= 60_000) return false;
  const given = Buffer.from(signature);
  const expected = Buffer.from(signAccountStatusRequest(timestamp, secret));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
