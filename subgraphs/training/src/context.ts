import type { SubgraphContext } from '../../shared/src/subgraph-server';
import type { Loaders } from './loaders';

export type Context = SubgraphContext<Loaders>;
