import { runSubgraphProcess } from '../../shared/src/subgraph-server';
import { loadConfig } from './config';
import { evaluation } from './index';

/** Process entry when this subgraph runs on its own: `tsx subgraphs/evaluation/src/main.ts`. */
runSubgraphProcess(evaluation, () => loadConfig());
