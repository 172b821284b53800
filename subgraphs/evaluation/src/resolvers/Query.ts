import { badUserInput } from '../../../shared/src/errors';
import type { Context } from '../context';
import { excellentCapStatus, type CapStatus } from '../services/assessment-entry';
import { RegistrationQueries } from './Registration';
import { AwardQueries } from './Awards';
import { RuleQueries } from './Rules';

export const Query = {
  excellentCap: async (_: unknown, args: { year: number }, ctx: Context) => {
    if (args.year < 2000 || args.year > 2100) throw badUserInput('year', 'must be between 2000 and 2100');
    return ctx.db.knex.transaction((trx) => excellentCapStatus(trx, ctx.db, ctx.viewer, args.year));
  },
  ...RegistrationQueries,
  ...AwardQueries,
  ...RuleQueries,
};

export const ExcellentCapStatus = {
  unit: (status: CapStatus) => ({ __typename: 'OrgUnit', id: status.unitId }),
};
