import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACCOUNT_LOOKUP_PATH, accountStatusRequestValid, ACCOUNT_STATUS_SIGNATURE_HEADER, ACCOUNT_STATUS_TIMESTAMP_HEADER, DISABLED_ACCOUNTS_PATH, type AccountLookup } from '../../../shared/src/account-status';
import type { Db } from '../../../shared/src/db';
import { sendJson } from '../../../shared/src/http-server';
import type { Logger } from '../../../shared/src/logger';
import { accountOfSubject, disabledSubjects } from './accounts';

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/**
 * GET /internal/disabled-accounts: subjects of disabled accounts; GET /internal/account?subject=…:
 * one subject's account (REQUIRE_ACCOUNT). For the gateway, signed requests only.
 */
export function accountStatusRoutes(options: { db: Db; secret: string; logger: Logger }) {
  return {
    [ACCOUNT_LOOKUP_PATH]: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' });
      const subject = new URL(req.url ?? '/', 'http://registry').searchParams.get('subject');
      if (!subject || subject.length > 200) return sendJson(res, 400, { error: 'subject: 1 to 200 characters' });
      if (!accountStatusRequestValid(header(req, ACCOUNT_STATUS_TIMESTAMP_HEADER), header(req, ACCOUNT_STATUS_SIGNATURE_HEADER), options.secret, Date.now(), subject)) {
        return sendJson(res, 401, { error: 'platform services only' });
      }
      try {
        const answer: AccountLookup = { account: (await accountOfSubject(options.db, subject)) ?? null };
        sendJson(res, 200, answer);
      } catch (error) {
        options.logger.error({ err: error }, 'an account could not be read');
        sendJson(res, 503, { error: 'database unavailable' });
      }
    },
    [DISABLED_ACCOUNTS_PATH]: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' });
      if (!accountStatusRequestValid(header(req, ACCOUNT_STATUS_TIMESTAMP_HEADER), header(req, ACCOUNT_STATUS_SIGNATURE_HEADER), options.secret)) {
        return sendJson(res, 401, { error: 'platform services only' });
      }
      try {
        sendJson(res, 200, { disabledSubjects: await disabledSubjects(options.db) });
      } catch (error) {
        options.logger.error({ err: error }, 'disabled accounts could not be read');
        sendJson(res, 503, { error: 'database unavailable' });
      }
    },
  };
}
