import type { SubgraphConfig } from '../../shared/src/config';
import { createSubgraphServer } from '../../shared/src/subgraph-server';
import { training } from './index';

export const createServer = (config: SubgraphConfig) => createSubgraphServer(training, config);
