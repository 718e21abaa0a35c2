import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfigInput } from '../../../gateway/config/index.ts';
import { startProxiedStack, type ProxiedStack } from '../../helpers/proxied-stack.ts';
import { postGraphQL } from '../../helpers/stack.ts';

/**
 * In-flight sharing and the `headers` rules: a subgraph may answer differently for a
 * header the rules propagate (a tenant, a locale), so two callers whose propagated headers
 * differ must never share one upstream request, while callers that differ only in headers
 * no rule sends still do. Counted at a recording proxy in front of the real demo
 * subgraphs; overlap is made certain by holding every call at the proxy (no timing).
 */
const QUERY = 'query Top { topProducts(first: 3) { name reviews(first: 1) { rating } } }';
const HOLD_MS = 400;

// Only products propagates the header: the engine's key still holds it, for every fetch.
const HEADERS: NonNullable<GatewayConfigInput['headers']> = { upstreams: { products: { request: [{ propagate: { named: 'x-tenant' } }] } } };

const holdEverything = (stack: ProxiedStack): void => stack.proxy.hold({ match: () => true, until: () => false, timeoutMs: HOLD_MS });
const callsTo = (stack: ProxiedStack, upstream: string) => stack.proxy.calls.filter((c) => c.upstream === upstream);

async function together(stack: ProxiedStack, headers: ReadonlyArray<Record<string, string>>) {
  stack.proxy.reset();
  holdEverything(stack);
  const answers = await Promise.all(headers.map((h) => postGraphQL(`${stack.gateway.url}/graphql`, QUERY, {}, h)));
  for (const a of answers) expect(a.body.errors).toBeUndefined();
  return answers;
}

describe.each([
  ['subgraph fetches (engine.dedup.subgraphFetches)', { subgraphFetches: true, inboundOperations: false }],
  ['whole operations (engine.dedup.inboundOperations)', { subgraphFetches: false, inboundOperations: true }],
])('in-flight sharing of %s with header rules', (_name, dedup) => {
  let stack: ProxiedStack;
  beforeAll(async () => {
    stack = await startProxiedStack({ engine: { dedup }, headers: HEADERS });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('callers whose propagated header differs never share: each tenant reaches products with its own request', async () => {
    await together(stack, [{ 'x-tenant': 'acme' }, { 'x-tenant': 'globex' }, {}]);
    const products = callsTo(stack, 'products');
    expect(products).toHaveLength(3);
    expect(products.map((c) => c.headers['x-tenant'] ?? 'none').sort()).toEqual(['acme', 'globex', 'none']);
  });

  it('callers with the same propagated header, differing only in headers no rule sends, still share one request', async () => {
    await together(stack, [
      { 'x-tenant': 'acme', 'x-unrelated': '1' },
      { 'x-tenant': 'acme', 'x-unrelated': '2' },
      { 'x-tenant': 'acme', 'x-unrelated': '3' },
    ]);
    const products = callsTo(stack, 'products');
    expect(products).toHaveLength(1);
    expect(products[0]?.headers['x-tenant']).toBe('acme');
    expect(callsTo(stack, 'reviews')).toHaveLength(1);
  });
});
