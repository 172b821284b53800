import type { SubgraphConfig } from '../../shared/src/config';
import { createSubgraphServer } from '../../shared/src/subgraph-server';
import { evaluation } from './index';

export const createServer = (config: SubgraphConfig) => createSubgraphServer(evaluation, config);
