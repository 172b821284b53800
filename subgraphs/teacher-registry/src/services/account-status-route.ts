import type { IncomingMessage, ServerResponse } from 'node:http';
import { accountStatusRequestValid, ACCOUNT_STATUS_SIGNATURE_HEADER, ACCOUNT_STATUS_TIMESTAMP_HEADER, DISABLED_ACCOUNTS_PATH } from '../../../shared/src/account-status';
import type { Db } from '../../../shared/src/db';
import { sendJson } from '../../../shared/src/http-server';
import type { Logger } from '../../../shared/src/logger';
import { disabledSubjects } from './accounts';

/** GET /internal/disabled-accounts: subjects of disabled accounts, for the gateway (signed requests only). */
export function accountStatusRoutes(options: { db: Db; secret: string; logger: Logger }) {
  return {
    [DISABLED_ACCOUNTS_PATH]: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' });
      const header = (name: string) => {
        const v = req.headers[name];
        return (Array.isArray(v) ? v[0] : v) ?? '';
      };
      if (!accountStatusRequestValid(header(ACCOUNT_STATUS_TIMESTAMP_HEADER), header(ACCOUNT_STATUS_SIGNATURE_HEADER), options.secret)) {
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
