import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { signDevToken } from '../../gateway/auth/index.ts';
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
    // topProducts(first: N) { name } costs 1 + N × 1; with reviews(first: 1) { rating } under it, 1 + 3N.
    expect((await limitError('{ topProducts(first: 59) { name } }')).error).toBeUndefined(); // 60
    const over = await limitError('{ topProducts(first: 60) { name } }'); // 61
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', value: 61, max: 60 });
    const nested = await limitError('{ topProducts(first: 20) { name reviews(first: 1) { rating } } }'); // 61
    expect(nested.error?.extensions).toMatchObject({ limit: 'maxCost', value: 61 });
  });

  it('tokens: 40 admitted, 41 refused before parsing, with the count', async () => {
    // `{ product ( id : "p1" ) { … } }` is 10 tokens; each `name` one more.
    expect((await limitError(`{ product(id: "p1") { ${'name '.repeat(30)} } }`)).error).toBeUndefined();
    const over = await limitError(`{ product(id: "p1") { ${'name '.repeat(31)} } }`);
    expect(over.status).toBe(400);
    expect(over.error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxTokens', value: 41, max: 40 });
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

/** The limits that need other settings: document bytes, batch size, introspection off; and CSRF prevention. */
describe('operation limits on /graphql: bytes, batches, introspection, CSRF', () => {
  let stack: Stack;
  let url: string;
  beforeAll(async () => {
    stack = await startStack({ operationLimits: { maxDocumentBytes: 200, batching: { enabled: true, maxOperations: 3 }, introspection: false } });
    url = `${stack.gateway.url}/graphql`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = async (body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const padded = (bytes: number): string => `{ __typename }${' '.repeat(bytes - '{ __typename }'.length)}`;

  it('document bytes: 200 admitted, 201 refused, naming the limit and the value', async () => {
    expect(await post({ query: padded(200) })).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    const over = await post({ query: padded(201) });
    expect(over.status).toBe(400);
    expect((over.body as { errors: Array<{ extensions: unknown }> }).errors[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'maxDocumentBytes',
      value: 201,
      max: 200,
    });
  });

  it('batches: 3 operations admitted, 4 refused', async () => {
    const op = { query: '{ __typename }' };
    const atLimit = await post([op, op, op]);
    expect(atLimit).toEqual({ status: 200, body: [1, 2, 3].map(() => ({ data: { __typename: 'Query' } })) });
    const over = await post([op, op, op, op]);
    expect(over.status).toBe(400);
    expect((over.body as { errors: Array<{ extensions: unknown }> }).errors[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'maxOperations',
      value: 4,
      max: 3,
    });
  });

  it('introspection off: __schema is refused, plain queries still served', async () => {
    const res = await postGraphQL(url, '{ __schema { queryType { name } } }');
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await postGraphQL(url, '{ product(id: "p1") { name } }')).body.errors).toBeUndefined();
  });

  it('CSRF prevention: a GET without a preflight-forcing header is refused; with one it is served', async () => {
    const query = encodeURIComponent('{ __typename }');
    const simple = await fetch(`${url}?query=${query}`);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/i);
    const preflighted = await fetch(`${url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
  });
});

/** The defaults, through the real doors: what the project documents is admitted, abuse still refused. */
describe('default operation limits on /graphql and the BFFs', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    stack = await startStack();
    base = stack.gateway.url;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const bearer = async (sub: string, roles: string[] = []): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await signDevToken({ sub, roles, scopes: ['users:read:email'] })}`,
  });
  const limitErrors = (body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
    (body.errors ?? []).filter((e) => e.extensions?.code === 'OPERATION_LIMIT_EXCEEDED');

  it('refuses a 300-deep __type { ofType { … } } with OPERATION_LIMIT_EXCEEDED, 400 (it used to run)', async () => {
    const deep = `{ __type(name: "Query") { ${'ofType { '.repeat(300)}name${' }'.repeat(300)} } }`;
    const res = await postGraphQL(`${base}/graphql`, deep);
    expect(res.status).toBe(400);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', value: 302, max: 15 });
  });

  it("serves graphql-js's standard introspection query (15 deep)", async () => {
    const res = await postGraphQL(`${base}/graphql`, getIntrospectionQuery());
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.__schema).toMatchObject({ queryType: { name: 'Query' } });
  });

  it("serves the README's examples", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const [supergraphExample, mobileExample] = [...readme.matchAll(/"query":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string);
    const top = await postGraphQL(`${base}/graphql`, supergraphExample ?? '');
    expect(top.status).toBe(200);
    expect(top.body.errors).toBeUndefined();
    expect(top.body.data?.topProducts).toHaveLength(2);
    const home = await postGraphQL(`${base}/bff/mobile/graphql`, mobileExample ?? '', {}, await bearer('u1'));
    expect(home.status).toBe(200);
    expect(home.body.errors).toBeUndefined();
    expect(home.body.data?.home).toMatchObject({ user: { name: 'Ada Lovelace' } });
  });

  it("serves the admin BFF's userOrders(first: 100), whose supergraph operation used to be refused from first: 87", async () => {
    const admin = await bearer('ops-1', ['admin']);
    const query = '{ userOrders(userId: "u1", first: 100) { user { id name email tier createdAt } orders { id customerId status totalCents formattedTotal createdAt lines { productId name quantity unitPriceCents } } } }';
    const res = await postGraphQL(`${base}/bff/admin/graphql`, query, {}, admin);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data?.userOrders as { orders: unknown[] }).orders.length).toBeGreaterThan(0);
    // and the supergraph operation it sends, straight to /graphql
    const operation = readFileSync(new URL('../../bffs/admin/operations/orders.graphql', import.meta.url), 'utf8');
    const direct = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ query: operation, operationName: 'AdminUserOrders', variables: { userId: 'u1', status: null, first: 100 } }),
    });
    const body = (await direct.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    expect(limitErrors(body)).toEqual([]);
    expect(direct.status).toBe(200);
  });

  it('still refuses a list bomb the client sizes itself', async () => {
    const res = await postGraphQL(`${base}/graphql`, '{ topProducts(first: 100) { reviews(first: 100) { rating } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', value: 10_101, max: 5_000 });
  });
});
