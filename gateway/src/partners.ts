import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Partner applications (title review, awards, registration systems) are registered clients with
 * named scopes, and may be held to a manifest of registered operations ("trusted documents"):
 * they send an operation id instead of free text, and in production a client marked
 * `registeredOperationsOnly` can run nothing else.
 */
const clientSchema = z.object({
  clientId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1),
  scopes: z.array(z.string().min(1)),
  registeredOperationsOnly: z.boolean(),
});
export type PartnerClient = z.infer<typeof clientSchema>;

const operationSchema = z.object({
  /** sha256 of the exact operation text, hex: the id partners send (Apollo's persisted-query hash). */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  /** Clients allowed to run it; `*` for every client. */
  clients: z.array(z.string().min(1)).min(1),
  body: z.string().min(1),
});
export type RegisteredOperation = z.infer<typeof operationSchema>;

const clientsFileSchema = z.object({ clients: z.array(clientSchema) });
const manifestSchema = z.object({ version: z.literal(1), operations: z.array(operationSchema) });
export type OperationManifest = z.infer<typeof manifestSchema>;

export const operationId = (body: string) => createHash('sha256').update(body).digest('hex');

function readJson<S extends z.ZodType>(file: string, schema: S, what: string): z.infer<S> {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${what} ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function loadPartnerClients(file: string): Map<string, PartnerClient> {
  const { clients } = readJson(file, clientsFileSchema, 'partner client registry');
  return new Map(clients.map((c) => [c.clientId, c]));
}

export function loadOperationManifest(file: string): OperationManifest {
  const manifest = readJson(file, manifestSchema, 'operation manifest');
  for (const op of manifest.operations) {
    if (operationId(op.body) !== op.id) throw new Error(`operation manifest ${file}: ${op.name} has an id that is not the sha256 of its body`);
  }
  return manifest;
}

export function indexManifest(manifest: OperationManifest): Map<string, RegisteredOperation> {
  return new Map(manifest.operations.map((op) => [op.id, op]));
}

export const mayRun = (op: RegisteredOperation, clientId: string | undefined) =>
  op.clients.includes('*') || (clientId !== undefined && op.clients.includes(clientId));
