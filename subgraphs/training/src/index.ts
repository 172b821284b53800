import { join } from 'node:path';
import { AUDIT_TRAIL_SDL, loadTypeDefs, type SubgraphDefinition } from '../../shared/src/subgraph-server';
import { seedDemo } from './db/seed';
import { migrations } from './db/migrations';
import { eventHandlers } from './events';
import { createLoaders, type Loaders } from './loaders';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Courses, credit rules, credit declarations and the credit bank. */
export const training: SubgraphDefinition<Loaders> = {
  name: 'training',
  defaultPort: 4002,
  typeDefs: loadTypeDefs(join(__dirname, '..', 'schema.graphql'), AUDIT_TRAIL_SDL),
  resolvers,
  permissions,
  migrations,
  createLoaders,
  seedDemo,
  eventHandlers,
};
