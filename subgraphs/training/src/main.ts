import { runSubgraphProcess } from '../../shared/src/subgraph-server';
import { loadConfig } from './config';
import { training } from './index';

/** Process entry when this subgraph runs on its own: `tsx subgraphs/training/src/main.ts`. */
runSubgraphProcess(training, () => loadConfig());
