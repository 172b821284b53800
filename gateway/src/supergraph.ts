import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { Kind, parse, type ConstValueNode } from 'graphql';
import type { Logger } from '../../subgraphs/shared/src/logger';

/**
 * Serves the committed static supergraph and picks up a changed file without a restart. The file
 * is polled (not fs.watch): editors and deploy tools replace files by rename, which inotify
 * watchers lose track of.
 */
export interface SupergraphSource {
  hook: SupergraphSdlHook;
  /** Subgraph name → URL written in the supergraph being served (parsed once per loaded file). */
  subgraphUrls(): Record<string, string>;
}

export function supergraphFromFile(file: string, pollIntervalMs: number, logger: Logger): SupergraphSource {
  let current = readFileSync(file, 'utf8');
  let urls: { sdl: string; urls: Record<string, string> } | null = null;
  const hook: SupergraphSdlHook = async ({ update }) => {
    current = readFileSync(file, 'utf8');
    const onChange = () => {
      let next: string;
      try {
        next = readFileSync(file, 'utf8');
      } catch (error) {
        logger.warn({ err: error, file }, 'supergraph file unreadable; keeping the current schema');
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        logger.info({ file }, 'supergraph reloaded');
      } catch (error) {
        logger.error({ err: error, file }, 'new supergraph rejected; keeping the current schema');
      }
    };
    watchFile(file, { interval: pollIntervalMs }, onChange);
    return { supergraphSdl: current, cleanup: async () => unwatchFile(file, onChange) };
  };
  return {
    hook,
    subgraphUrls() {
      if (urls?.sdl !== current) urls = { sdl: current, urls: subgraphUrlsOf(current) };
      return urls.urls;
    },
  };
}

/** Subgraph name → routing URL, read from the `join__Graph` enum of a supergraph. */
export function subgraphUrlsOf(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (name: string) => {
        const node: ConstValueNode | undefined = directive?.arguments?.find((a) => a.name.value === name)?.value;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      const name = arg('name');
      const url = arg('url');
      if (name && url) urls[name] = url;
    }
  }
  return urls;
}
