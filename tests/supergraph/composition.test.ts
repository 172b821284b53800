import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { composeSupergraph, readCommittedSupergraph } from '../../schema/compose';

describe('supergraph composition', () => {
  it('the committed schema/supergraph.graphql is what the subgraphs compose to (run `npm run compose`)', () => {
    expect(readCommittedSupergraph()).toBe(composeSupergraph());
  });

  it('reports composition errors with their codes instead of producing a supergraph', () => {
    const result = composeServices([
      { name: 'a', url: 'http://a', typeDefs: parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { x: Int } type T @key(fields: "id") { id: ID! n: Int }') },
      { name: 'b', url: 'http://b', typeDefs: parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type T @key(fields: "id") { id: ID! n: String }') },
    ]);
    expect(result.errors?.map((e) => e.extensions?.code)).toContain('FIELD_TYPE_MISMATCH');
  });
});
