import type { Context } from '../context';
import { createAccount, disableAccount, listAccounts, type AccountRow } from '../services/accounts';

/** Account management for system administrators (services/accounts.ts holds the level rule). */
export const AccountQueries = {
  accounts: (_: unknown, args: { status?: 'active' | 'disabled' | null; organisationId?: string | null; first?: number | null; after?: string | null }, ctx: Context) =>
    listAccounts(ctx.db, ctx.viewer, args),
};

export const AccountMutations = {
  createAccount: (_: unknown, args: { input: { subject: string; name: string; role: string; organisationId: string } }, ctx: Context) =>
    createAccount(ctx.db, ctx.viewer, args.input),
  disableAccount: (_: unknown, args: { input: { accountId: string; reason: string } }, ctx: Context) => disableAccount(ctx.db, ctx.viewer, args.input),
};

export const Account = {
  organisation: (row: AccountRow) => ({ __typename: 'OrgUnit', id: row.orgId }),
  status: (row: AccountRow) => row.status,
};

export const AccountStatus = { ACTIVE: 'active', DISABLED: 'disabled' };
