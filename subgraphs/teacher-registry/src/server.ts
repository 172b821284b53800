import type { SubgraphConfig } from '../../shared/src/config';
import { createSubgraphServer } from '../../shared/src/subgraph-server';
import { teacherRegistry } from './index';

export const createServer = (config: SubgraphConfig) => createSubgraphServer(teacherRegistry, config);
