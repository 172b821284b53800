import { join } from 'node:path';
import { AUDIT_TRAIL_SDL, loadTypeDefs, type SubgraphDefinition } from '../../shared/src/subgraph-server';
import { seedDemo } from './db/seed';
import { eventHandlers } from './events';
import { migrations } from './db/migrations';
import { createLoaders, type Loaders } from './loaders';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Assessment, ethics, qualification registration, title review and awards. */
export const evaluation: SubgraphDefinition<Loaders> = {
  name: 'evaluation',
  defaultPort: 4004,
  typeDefs: loadTypeDefs(join(__dirname, '..', 'schema.graphql'), AUDIT_TRAIL_SDL),
  resolvers,
  permissions,
  migrations,
  createLoaders,
  seedDemo,
  eventHandlers,
};
