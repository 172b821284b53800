import type { IncomingMessage } from 'node:http';
import { HttpRejection, type GraphQLRequestBody } from '../../subgraphs/shared/src/http-server';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import { indexManifest, loadOperationManifest, loadPartnerClients, mayRun, operationId, type PartnerClient, type RegisteredOperation } from './partners';

export interface TrustedDocumentsOptions {
  clientsFile: string;
  manifestFile: string;
  /** Hold `registeredOperationsOnly` clients to the manifest (on in production). */
  enforceRegisteredOperations: boolean;
  viewerOf: (req: IncomingMessage) => Promise<Viewer>;
}

/**
 * Runs before Apollo: checks a partner token against the client registry, turns a registered
 * operation id into its text, and refuses free text from clients held to their manifest.
 * Other viewers may still use automatic persisted queries (APQ) and free text.
 */
export function createRequestPreparer(options: TrustedDocumentsOptions) {
  const clients = loadPartnerClients(options.clientsFile);
  const operations = indexManifest(loadOperationManifest(options.manifestFile));

  function partnerClient(viewer: Viewer): PartnerClient {
    const client = viewer.clientId ? clients.get(viewer.clientId) : undefined;
    if (!client) throw new HttpRejection(401, 'UNAUTHENTICATED', `Partner client "${viewer.clientId ?? ''}" is not registered.`);
    const extra = viewer.scopes.filter((scope) => !client.scopes.includes(scope));
    if (extra.length) throw new HttpRejection(403, 'FORBIDDEN', `Scope ${extra.join(', ')} is not granted to client ${client.clientId}.`);
    return client;
  }

  return async function prepareRequest(req: IncomingMessage, request: GraphQLRequestBody): Promise<GraphQLRequestBody> {
    let viewer: Viewer;
    try {
      viewer = await options.viewerOf(req);
    } catch {
      // No valid token: the context function answers UNAUTHENTICATED with the precise reason.
      return request;
    }
    const client = viewer.role === 'partner' ? partnerClient(viewer) : null;
    const restricted = client !== null && client.registeredOperationsOnly && options.enforceRegisteredOperations;

    const requestedId = request.documentId ?? request.extensions?.persistedQuery?.sha256Hash;
    let registered: RegisteredOperation | undefined = requestedId ? operations.get(requestedId) : undefined;
    if (!registered && restricted && request.query) registered = operations.get(operationId(request.query));

    if (registered) {
      if (client && !mayRun(registered, client.clientId)) {
        throw new HttpRejection(403, 'FORBIDDEN', `Operation ${registered.name} is not registered for client ${client.clientId}.`);
      }
      return { ...request, query: request.query ?? registered.body, documentId: undefined };
    }
    if (restricted) {
      throw new HttpRejection(403, 'PERSISTED_OPERATION_REQUIRED', `Client ${client.clientId} may run only its registered operations; send a registered operation id.`);
    }
    if (request.documentId) throw new HttpRejection(400, 'PERSISTED_QUERY_NOT_FOUND', `No registered operation has id ${request.documentId}.`);
    return request;
  };
}

