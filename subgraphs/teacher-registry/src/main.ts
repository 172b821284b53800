import { runSubgraphProcess } from '../../shared/src/subgraph-server';
import { loadConfig } from './config';
import { teacherRegistry } from './index';

/** Process entry when this subgraph runs on its own: `tsx subgraphs/teacher-registry/src/main.ts`. */
runSubgraphProcess(teacherRegistry, () => loadConfig());
