import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import type { GraphQLSchema } from 'graphql';
import { SUBGRAPHS } from '../subgraphs';

/**
 * Composes every subgraph's SDL into the supergraph the gateway serves. rover is not used: it
 * downloads a binary; @apollo/composition is the same composition library as a package.
 */
export const SUPERGRAPH_FILE = join(__dirname, 'supergraph.graphql');

export class CompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Composition failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The routing URL written into the supergraph: the subgraph's default local address. */
export const defaultRoutingUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;

export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPHS.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: defaultRoutingUrl(s.defaultPort) })),
  );
  if (result.errors) {
    throw new CompositionError(result.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`));
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}

/** The client-facing schema of the composed supergraph (what operations are validated against). */
export function composeApiSchema(): GraphQLSchema {
  const result = composeServices(SUBGRAPHS.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: defaultRoutingUrl(s.defaultPort) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`));
  return result.schema.toAPISchema().toGraphQLJSSchema();
}

export function readCommittedSupergraph(): string {
  return readFileSync(SUPERGRAPH_FILE, 'utf8');
}

if (require.main === module) {
  try {
    const sdl = composeSupergraph();
    writeFileSync(SUPERGRAPH_FILE, sdl);
    process.stdout.write(`Composed ${SUBGRAPHS.length} subgraphs into ${SUPERGRAPH_FILE}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
