import type { SubgraphDefinition } from './shared/src/subgraph-server';
import { evaluation } from './evaluation/src/index';
import { staffingQuota } from './staffing-quota/src/index';
import { teacherRegistry } from './teacher-registry/src/index';
import { training } from './training/src/index';

/**
 * Every subgraph of the platform. Composition, the launcher and the tests read this list: adding a
 * subgraph means adding its folder and one line here (see README, "Adding a subgraph").
 */
export const SUBGRAPHS: readonly SubgraphDefinition<any>[] = [teacherRegistry, training, staffingQuota, evaluation];
