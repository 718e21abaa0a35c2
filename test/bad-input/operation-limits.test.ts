import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';

/** Each operation limit, through the real /graphql door: admitted at its threshold, refused just above. */
describe('operation limits on /graphql', () => {
  let stack: Stack;
  let url: string;
  beforeAll(async () => {
    stack = await startStack({
      operationLimits: { maxDepth: 5, maxAliases: 2, maxRootFields: 2, maxTokens: 40, maxCost: 60, defaultListSize: 10, batching: { enabled: false } },
    });
    url = `${stack.gateway.url}/graphql`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const limitError = async (query: string, variables?: Record<string, unknown>) => {
    const res = await postGraphQL(url, query, variables);
    return { status: res.status, error: res.body.errors?.[0], data: res.body.data };
  };

  it('depth: 5 levels admitted, 6 refused, naming the limit and the value', async () => {
    const atLimit = await limitError('{ user(id: "u1") { orders(first: 1) { items { product { name } } } } }');
    expect(atLimit.error).toBeUndefined();
    const over = await limitError('{ user(id: "u1") { orders(first: 1) { items { product { reviews(first: 1) { rating } } } } } }');
    expect(over.status).toBe(400);
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', value: 6, max: 5 });
    expect(over.error?.message).toMatch(/depth 6 exceeds the limit of 5/i);
  });

  it('aliases: 2 admitted, 3 refused', async () => {
    expect((await limitError('{ a: product(id: "p1") { name } b: product(id: "p2") { name } }')).error).toBeUndefined();
    const over = await limitError('{ a: product(id: "p1") { n: name } b: product(id: "p2") { name } }');
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxAliases', value: 3, max: 2 });
  });

  it('root fields: 2 admitted, 3 refused', async () => {
    expect((await limitError('{ product(id: "p1") { name } user(id: "u1") { name } }')).error).toBeUndefined();
    const over = await limitError('{ product(id: "p1") { name } user(id: "u1") { name } topProducts(first: 1) { name } }');
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxRootFields', value: 3, max: 2 });
  });

  it('cost: list sizes multiply; at the limit admitted, above it refused', async () => {
    // topProducts(first: N) { name reviews(first:1) { rating } } costs 1 + N × (1 + 1 + 1×1) = 1 + 3N
    expect((await limitError('{ topProducts(first: 19) { name reviews(first: 1) { rating } } }')).error).toBeUndefined(); // 58
    const over = await limitError('{ topProducts(first: 20) { name reviews(first: 1) { rating } } }'); // 61
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', max: 60 });
  });

  it('tokens: refused before parsing, with the count', async () => {
    const over = await limitError(`{ product(id: "p1") { ${'name '.repeat(40)} } }`);
    expect(over.status).toBe(400);
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxTokens', max: 40 });
  });

  it('batched requests are refused when batching is off', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'batching' });
  });
});
