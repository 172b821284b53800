import { evaluation } from '../../subgraphs/evaluation/src/index';
import { startSubgraphAlone, type SubgraphAlone } from '../helpers/subgraph-alone';

/** The evaluation subgraph alone (see helpers/subgraph-alone.ts). */
export type EvaluationService = SubgraphAlone;
export const startEvaluation = () => startSubgraphAlone(evaluation);
export { TEACHER_ENTITIES, teacherReps } from '../helpers/subgraph-alone';
