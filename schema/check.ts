import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { composeApiSchema, readCommittedSupergraph } from './compose';

/**
 * `npm run schema:check`: what the subgraphs compose to now, compared with the committed supergraph
 * (or the one at a git revision), as partners see it (the API schema). Breaking changes fail the
 * check unless explicitly allowed.
 */
export function apiSchemaOfSupergraph(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export async function schemaChanges(before: GraphQLSchema, after: GraphQLSchema): Promise<Change[]> {
  return diff(before, after);
}

export const isBreaking = (change: Change) => change.criticality.level === CriticalityLevel.Breaking;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { base: { type: 'string' }, 'allow-breaking': { type: 'boolean', default: false } } });
  const baseSdl = values.base
    ? execFileSync('git', ['show', `${values.base}:schema/supergraph.graphql`], { encoding: 'utf8' })
    : readCommittedSupergraph();
  const changes = await schemaChanges(apiSchemaOfSupergraph(baseSdl), composeApiSchema());
  const label = values.base ? `schema/supergraph.graphql at ${values.base}` : 'the committed schema/supergraph.graphql';
  if (changes.length === 0) {
    process.stdout.write(`No API changes against ${label}.\n`);
    return;
  }
  for (const level of [CriticalityLevel.Breaking, CriticalityLevel.Dangerous, CriticalityLevel.NonBreaking]) {
    const group = changes.filter((c) => c.criticality.level === level);
    if (group.length) process.stdout.write(`${level} (${group.length}):\n${group.map((c) => `  - ${c.message}`).join('\n')}\n`);
  }
  const breaking = changes.filter(isBreaking).length;
  if (breaking && !values['allow-breaking']) {
    process.stderr.write(`\n${breaking} breaking change(s) against ${label}. Partners' registered operations may stop working; re-run with --allow-breaking if intended.\n`);
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
