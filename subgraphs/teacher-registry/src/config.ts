import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../shared/src/config';
import { teacherRegistry } from './index';

/** The only place this subgraph reads its environment (variables documented in the README). */
export function loadConfig(env: Env = process.env): SubgraphConfig {
  return loadSubgraphConfig(teacherRegistry.name, teacherRegistry.defaultPort, env);
}
