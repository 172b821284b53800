import { join } from 'node:path';
import { AUDIT_TRAIL_SDL, loadTypeDefs, type SubgraphDefinition } from '../../shared/src/subgraph-server';
import { seedDemo } from './db/seed';
import { eventHandlers } from './events';
import { migrations } from './db/migrations';
import { createLoaders, type Loaders } from './loaders';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { forecastCountsSettled } from './repositories/forecast-rollup';

/** Staffing standards, quotas, posts, transfers, rotation and demand forecast. */
export const staffingQuota: SubgraphDefinition<Loaders> = {
  name: 'staffing-quota',
  defaultPort: 4003,
  typeDefs: loadTypeDefs(join(__dirname, '..', 'schema.graphql'), AUDIT_TRAIL_SDL),
  resolvers,
  permissions,
  migrations,
  createLoaders,
  seedDemo,
  eventHandlers,
  // A forecast base year's first count runs after its request has been answered; shutdown lets it finish.
  settleBackgroundWork: forecastCountsSettled,
};
