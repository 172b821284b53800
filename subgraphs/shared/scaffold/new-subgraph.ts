import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { namesFor, scaffoldFiles } from './templates';

/**
 * `npm run new-subgraph -- <name>`: writes a working subgraph in the house shape, registers it in
 * subgraphs/index.ts and prints the next steps (compose, start, test).
 */
export function scaffoldSubgraph(root: string, name: string, port: number): string[] {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) throw new Error(`"${name}" must be kebab-case, e.g. teacher-honours`);
  if (existsSync(join(root, 'subgraphs', name))) throw new Error(`subgraphs/${name} already exists`);
  const names = namesFor(name, port);
  const files = scaffoldFiles(names);
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  registerSubgraph(join(root, 'subgraphs', 'index.ts'), names.name, names.camel);
  return Object.keys(files);
}

/** Adds the import and the list entry to subgraphs/index.ts. */
export function registerSubgraph(indexFile: string, name: string, exportName: string): void {
  const source = readFileSync(indexFile, 'utf8');
  const importLine = `import { ${exportName} } from './${name}/src/index';\n`;
  const withImport = source.replace(/(\nimport [^\n]+\n)(?![\s\S]*\nimport )/, `$1${importLine}`);
  const withEntry = withImport.replace(/(export const SUBGRAPHS[^=]*= \[)([^\]]*)\]/, (_m, head: string, list: string) => `${head}${list.trim()}, ${exportName}]`);
  if (withEntry === source || !withEntry.includes(`, ${exportName}]`)) throw new Error(`could not register ${name} in ${indexFile}`);
  writeFileSync(indexFile, withEntry);
}

/** The next free default port after the existing subgraphs (4001…). */
export function nextPort(root: string): number {
  const ports = [...readFileSync(join(root, 'subgraphs', 'index.ts'), 'utf8').matchAll(/from '\.\/([a-z0-9-]+)\/src\/index'/g)].map((m) => {
    const definition = readFileSync(join(root, 'subgraphs', m[1] as string, 'src', 'index.ts'), 'utf8');
    return Number(/defaultPort: (\d+)/.exec(definition)?.[1] ?? 4000);
  });
  return Math.max(4000, ...ports) + 1;
}

if (require.main === module) {
  const name = process.argv[2];
  const root = resolve(__dirname, '..', '..', '..');
  if (!name) {
    process.stderr.write('usage: npm run new-subgraph -- <kebab-case-name>\n');
    process.exit(2);
  }
  try {
    const files = scaffoldSubgraph(root, name, nextPort(root));
    process.stdout.write(
      `Created ${files.length} files and registered ${name} in subgraphs/index.ts:\n${files.map((f) => `  ${f}`).join('\n')}\n\n` +
        `Next: npm run compose   (adds it to schema/supergraph.graphql)\n      npm test -- tests/${name}\n      npm start\n`,
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
