import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { targetFromUrl } from '../../gateway/upstream/registry.ts';
import { createHttpSupergraphClient, SUPERGRAPH_UPSTREAM } from '../../bffs/index.ts';
import { rememberAuthorization } from '../../bffs/kit/caller-credentials.ts';
import type { SupergraphClient } from '../../bffs/kit/supergraph-client.ts';
import { ops as mobileOps } from '../../bffs/mobile/supergraph-operations.ts';
import { ops as adminOps } from '../../bffs/admin/supergraph-operations.ts';
import { createTestContext } from '../helpers/upstream-context.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * The HTTP supergraph client, for a BFF running as its own process: the same operations
 * sent to a remote gateway's /graphql through an upstream pipeline named `supergraph`,
 * with the caller's token forwarded so the remote gateway knows who is asking.
 */
describe('HTTP supergraph client', () => {
  let stack: Stack;
  let client: SupergraphClient;

  beforeAll(async () => {
    stack = await startStack({ upstreamDefaults: { timeoutMs: 5_000 } });
    // Any registry would do; the gateway's own is at hand.
    const pipeline = stack.gateway.upstreams.pipeline(SUPERGRAPH_UPSTREAM, 'subgraph', [targetFromUrl(`${stack.gateway.url}/graphql`)]);
    client = createHttpSupergraphClient(pipeline.call);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("runs an operation as the caller: the remote gateway verifies the forwarded token", async () => {
    const { ctx, dispose } = createTestContext({ door: 'bff', clientName: 'mobile' });
    rememberAuthorization(ctx, { headers: { authorization: `Bearer ${await signDevToken({ sub: 'u2' })}` } });
    const result = await client.execute(mobileOps.MobileHomeUser, {}, ctx);
    dispose();
    expect(result).toEqual({ data: { me: { id: 'u2', name: 'Grace Hopper', avatarUrl: 'https://cdn.example.com/avatars/u2.png' } }, errors: [] });
  });

  it('answers what the remote gateway answered, errors included', async () => {
    const { ctx, dispose } = createTestContext({ door: 'bff' });
    // Query.me is @authenticated: anonymous, the remote gateway answers it null with UNAUTHENTICATED.
    const anonymous = await client.execute(mobileOps.MobileHomeUser, {}, ctx);
    expect(anonymous).toEqual({ data: { me: null }, errors: [expect.objectContaining({ path: ['me'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] });
    // o1 is u1's: the orders subgraph's own rule is what refuses the cancel.
    rememberAuthorization(ctx, { headers: { authorization: `Bearer ${await signDevToken({ sub: 'u1' })}` } });
    const refused = await client.execute(adminOps.AdminCancelOrder, { id: 'o1' }, ctx);
    dispose();
    expect(refused.data).toBeNull();
    expect(refused.errors[0]).toMatchObject({ message: 'order o1 is DELIVERED and can no longer be cancelled', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
