import { join } from 'node:path';
import { AUDIT_TRAIL_SDL, loadTypeDefs, type SubgraphDefinition } from '../../shared/src/subgraph-server';
import { seedDemo } from './db/seed';
import { migrations } from './db/migrations';
import { createLoaders, type Loaders } from './loaders';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { accountStatusRoutes } from './services/account-status-route';
import { eventHandlers } from './services/event-handlers';
import { importJobsSettled, teacherImportUploadRoutes } from './services/teacher-import-upload';

/** Organisation tree, identity and the teacher archive. */
export const teacherRegistry: SubgraphDefinition<Loaders> = {
  name: 'teacher-registry',
  defaultPort: 4001,
  typeDefs: loadTypeDefs(join(__dirname, '..', 'schema.graphql'), AUDIT_TRAIL_SDL),
  resolvers,
  permissions,
  migrations,
  createLoaders,
  seedDemo,
  eventHandlers,
  // The gateway reads which accounts are disabled from here, and streams big import files here.
  internalRoutes: (options) => ({ ...accountStatusRoutes(options), ...teacherImportUploadRoutes(options) }),
  // An import job runs after importTeachersFromUpload has answered; shutdown lets it finish.
  settleBackgroundWork: importJobsSettled,
};
