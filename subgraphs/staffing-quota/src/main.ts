import { runSubgraphProcess } from '../../shared/src/subgraph-server';
import { loadConfig } from './config';
import { staffingQuota } from './index';

/** Process entry when this subgraph runs on its own: `tsx subgraphs/staffing-quota/src/main.ts`. */
runSubgraphProcess(staffingQuota, () => loadConfig());
