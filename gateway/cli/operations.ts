import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Kind, parse, validate } from 'graphql';
import { composeApiSchema } from '../../schema/compose';
import { REPO_ROOT } from '../src/config';
import { loadOperationManifest, loadPartnerClients, mayRun, operationId, type OperationManifest } from '../src/partners';

const USAGE = `Manage the registered (persisted) operations partners may run.

  npm run operations -- add <file.graphql> [--clients a,b | --clients '*']   register or update one operation
  npm run operations -- remove <OperationName>
  npm run operations -- list [--client <id>]
  npm run operations -- export --client <id> [--out file.json]              what a partner embeds: name → id

  --manifest  manifest file (default gateway/partners/operations.json)
  --registry  partner client registry (default gateway/partners/clients.json)

An operation is validated against the composed schema before it is registered; its id is the
sha256 of its exact text (the hash Apollo's persisted queries use).`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      clients: { type: 'string', default: '*' },
      client: { type: 'string' },
      out: { type: 'string' },
      manifest: { type: 'string', default: resolve(REPO_ROOT, 'gateway', 'partners', 'operations.json') },
      registry: { type: 'string', default: resolve(REPO_ROOT, 'gateway', 'partners', 'clients.json') },
    },
  });
  const [command, argument] = positionals;
  const manifestFile = resolve(values.manifest as string);
  const manifest: OperationManifest = loadOperationManifest(manifestFile);
  const clients = loadPartnerClients(resolve(values.registry as string));
  const save = () => writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

  switch (command) {
    case 'add': {
      if (!argument) fail('add needs a .graphql file.');
      const body = readFileSync(argument, 'utf8').trim();
      let document;
      try {
        document = parse(body);
      } catch (error) {
        fail(`${argument} does not parse: ${(error as Error).message}`);
      }
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (operations.length !== 1 || !operations[0]?.name) fail(`${argument} must hold exactly one named operation.`);
      const problems = validate(composeApiSchema(), document);
      if (problems.length) fail(`${argument} is not valid against the schema:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
      const name = operations[0].name.value;
      const allowed = (values.clients as string).split(',').map((c) => c.trim()).filter(Boolean);
      const unknown = allowed.filter((c) => c !== '*' && !clients.has(c));
      if (unknown.length) fail(`Unknown client(s): ${unknown.join(', ')}. Register them in the client registry first.`);
      const entry = { id: operationId(body), name, clients: allowed, body };
      const index = manifest.operations.findIndex((op) => op.name === name);
      if (index >= 0) manifest.operations[index] = entry;
      else manifest.operations.push(entry);
      manifest.operations.sort((a, b) => a.name.localeCompare(b.name));
      save();
      process.stdout.write(`${index >= 0 ? 'updated' : 'registered'} ${name} ${entry.id} for ${allowed.join(', ')}\n`);
      return;
    }
    case 'remove': {
      const before = manifest.operations.length;
      manifest.operations = manifest.operations.filter((op) => op.name !== argument);
      if (manifest.operations.length === before) fail(`No registered operation is named ${argument}.`);
      save();
      process.stdout.write(`removed ${argument}\n`);
      return;
    }
    case 'list': {
      for (const op of manifest.operations) {
        if (values.client && !mayRun(op, values.client)) continue;
        process.stdout.write(`${op.name}\t${op.id}\t${op.clients.join(',')}\n`);
      }
      return;
    }
    case 'export': {
      if (!values.client || !clients.has(values.client)) fail('export needs --client with a registered client id.');
      const exported = Object.fromEntries(manifest.operations.filter((op) => mayRun(op, values.client)).map((op) => [op.name, { id: op.id, body: op.body }]));
      const text = `${JSON.stringify({ client: values.client, operations: exported }, null, 2)}\n`;
      if (values.out) writeFileSync(values.out, text);
      else process.stdout.write(text);
      return;
    }
    default:
      fail(command ? `Unknown command ${command}.` : 'Give a command.');
  }
}

main();
