import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { operationLimitsConfigSchema, type OperationLimitsConfigInput } from '../../../gateway/graphql/operation-limits/config.ts';
import { apolloParseOptions, operationLimitsPlugin } from '../../../gateway/graphql/operation-limits/apollo-plugin.ts';
import type { OperationLimitViolation } from '../../../gateway/graphql/operation-limits/violation.ts';
import { formatGraphQLError } from '../../../gateway/graphql/format-error.ts';

const typeDefs = 'type Query { node: Node, items(first: Int): [Node!]! } type Node { id: ID!, child: Node }';
const resolvers = { Query: { node: () => ({ id: '1' }), items: () => [] } };

function serverWith(limits: OperationLimitsConfigInput, extra: { parseOptions?: boolean } = {}) {
  const violations: OperationLimitViolation[] = [];
  const config = operationLimitsConfigSchema.parse(limits);
  const server = new ApolloServer({
    typeDefs,
    resolvers,
    formatError: formatGraphQLError,
    ...(extra.parseOptions ? { parseOptions: apolloParseOptions(config) } : {}),
    plugins: [operationLimitsPlugin(config, { onViolation: (v) => violations.push(v) })],
  });
  const post = async (query: string, variables?: Record<string, unknown>) => {
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([['content-type', 'application/json']]),
        search: '',
        body: variables === undefined ? { query } : { query, variables },
      },
      context: async () => ({}),
    });
    const body = response.body.kind === 'complete' ? JSON.parse(response.body.string) : undefined;
    return { status: response.status ?? 200, body };
  };
  return { server, post, violations };
}

describe('operationLimitsPlugin on Apollo Server', () => {
  const { server, post, violations } = serverWith({ maxDepth: 3, maxTokens: 40, maxCost: 50, maxDocumentBytes: 200 });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('lets an operation within limits run', async () => {
    const { status, body } = await post('{ node { child { id } } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { node: { child: null } } });
  });

  it('answers 400 OPERATION_LIMIT_EXCEEDED for a document over a limit, naming it', async () => {
    const { status, body } = await post('{ node { child { child { id } } } }');
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toBe('Query depth 4 exceeds the limit of 3');
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', value: 4, max: 3 });
  });

  it('refuses a document over the source limits even without a door-level check', async () => {
    const tokens = await post(`{ ${'node { id } '.repeat(10)} }`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxTokens', max: 40 });
    const bytes = await post(`{ node { id } } # ${'x'.repeat(200)}`);
    expect(bytes.status).toBe(400);
    expect(bytes.body.errors[0].extensions).toMatchObject({ limit: 'maxDocumentBytes', max: 200 });
  });

  it('prices lists with the request variables', async () => {
    const q = 'query($n: Int) { items(first: $n) { id } }';
    expect((await post(q, { n: 49 })).status).toBe(200);
    const over = await post(q, { n: 50 });
    expect(over.status).toBe(400);
    expect(over.body.errors[0].extensions).toMatchObject({ limit: 'maxCost', value: 51, max: 50 });
  });

  it('reports each rejection to onViolation', () => {
    expect(violations.map((v) => v.limit)).toEqual(['maxDepth', 'maxTokens', 'maxDocumentBytes', 'maxCost']);
  });
});

describe('apolloParseOptions', () => {
  const { server, post } = serverWith({ maxTokens: 40 }, { parseOptions: true });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('makes Apollo stop parsing past maxTokens (a 400 before any validation)', async () => {
    const { status, body } = await post(`{ ${'node { id } '.repeat(10)} }`);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/40 tokens/);
  });
});
