import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';

/**
 * The comparison point "stock @apollo/gateway": Apollo's gateway and server with default settings.
 * Only two things are added, because without them it could not serve this platform at all: the
 * benchmark's subgraph addresses, and passing the caller's `x-internal-identity` header on to the
 * subgraphs (the benchmark client mints that header itself, as our gateway would).
 */
interface StockContext {
  identity?: string;
}

const supergraphSdl = readFileSync(process.env.SUPERGRAPH_FILE ?? 'schema/supergraph.graphql', 'utf8');
const urls = Object.fromEntries((process.env.SUBGRAPH_URLS ?? '').split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));

class IdentityForwardingDataSource extends RemoteGraphQLDataSource<StockContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<StockContext>['willSendRequest']>>[0]): void {
    if ('identity' in context && context.identity) request.http?.headers.set('x-internal-identity', context.identity);
  }
}

async function main() {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new IdentityForwardingDataSource({ url: urls[name] ?? url }),
  });
  const server = new ApolloServer<StockContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4730), host: '127.0.0.1' },
    context: async ({ req }) => ({ identity: typeof req.headers['x-internal-identity'] === 'string' ? req.headers['x-internal-identity'] : undefined }),
  });
  process.stdout.write(`stock gateway listening at ${url}\n`);
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
