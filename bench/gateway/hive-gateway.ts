import { createServer, type RequestListener } from 'node:http';

// Loaded untyped on purpose: Hive's types (graphql-yoga) re-declare GraphQL error extensions in a
// way that conflicts with Apollo Server's, and this file must not change how the platform type-checks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createGatewayRuntime } = require('@graphql-hive/gateway') as { createGatewayRuntime(options: Record<string, unknown>): RequestListener };

/**
 * The comparison point "Hive Gateway" (@graphql-hive/gateway, a development dependency used only by
 * this benchmark), serving the same supergraph and subgraphs. For a fair comparison its
 * deduplication of identical in-flight subgraph requests is off (our gateway and stock Apollo do not
 * deduplicate; the benchmark's random requests would rarely collide anyway, but concurrent
 * identical entity fetches could), inbound deduplication is off (its default), and the caller's
 * `x-internal-identity` header is passed on to every subgraph.
 */
const supergraph = process.env.SUPERGRAPH_FILE ?? 'schema/supergraph.graphql';
const urls = Object.fromEntries((process.env.SUBGRAPH_URLS ?? '').split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));

const transportEntries: Record<string, { location?: string; options?: Record<string, unknown> }> = {
  '*.http': { options: { deduplicateInflightRequests: false } },
};
for (const [name, location] of Object.entries(urls)) transportEntries[name] = { location };

const gateway = createGatewayRuntime({
  supergraph,
  transportEntries,
  inboundInflightRequestDeduplication: false,
  graphiql: false,
  landingPage: false,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }) => ({ 'x-internal-identity': request.headers.get('x-internal-identity') }),
  },
  logging: 'warn',
});

const port = Number(process.env.PORT ?? 4720);
createServer(gateway).listen(port, '127.0.0.1', () => process.stdout.write(`hive gateway listening at http://127.0.0.1:${port}/graphql\n`));
