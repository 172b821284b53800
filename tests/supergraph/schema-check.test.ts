import { buildSchema } from 'graphql';
import { apiSchemaOfSupergraph, isBreaking, schemaChanges } from '../../schema/check';
import { composeApiSchema, readCommittedSupergraph } from '../../schema/compose';

describe('schema:check', () => {
  it('finds no change between the committed supergraph and what the subgraphs compose to', async () => {
    expect(await schemaChanges(apiSchemaOfSupergraph(readCommittedSupergraph()), composeApiSchema())).toEqual([]);
  });

  it('reports a removed field and a newly required argument as breaking, an added field as safe', async () => {
    const before = buildSchema('type Query { teacher(id: ID!): Teacher } type Teacher { id: ID! name: String }');
    const after = buildSchema('type Query { teacher(id: ID!, asOf: String!): Teacher } type Teacher { id: ID! title: String }');
    const changes = await schemaChanges(before, after);
    const breaking = changes.filter(isBreaking).map((c) => c.path);
    expect(breaking).toEqual(expect.arrayContaining(['Teacher.name', 'Query.teacher.asOf']));
    expect(changes.find((c) => c.path === 'Teacher.title')?.criticality.level).toBe('NON_BREAKING');
  });
});
