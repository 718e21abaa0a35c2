import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { hashApiKey, signDevToken } from '../../../gateway/auth/index.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { echoJson } from '../../helpers/upstream-servers.ts';

/**
 * Credentials the gateway consumed (the bearer token it verified, the API key it looked up)
 * against a recording upstream on loopback: stripped before the call by default (Kong's
 * `hide_credentials`), forwarded on a route whose policy says `forwardCredentials`. Until
 * this, the passthrough forwarded both as received.
 */
const API_KEY = 'pk_test_credentials_0123456789';

let upstream: TestServer;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startTestServer(echoJson());
  gateway = await startGateway({
    auth: { apiKeys: [{ id: 'partner-key', hash: hashApiKey(API_KEY), consumer: 'acme', tier: 'premium', routes: ['*'] }] },
    routes: [
      { name: 'plain', prefix: '/plain', targets: [{ url: upstream.url }] },
      { name: 'partner', prefix: '/partner', targets: [{ url: upstream.url }], policy: { forwardCredentials: true } },
    ],
  });
});

afterAll(async () => {
  await Promise.allSettled([gateway?.close(), upstream?.close()]);
});

/** What the upstream received for one call through the gateway. */
async function upstreamSaw(path: string, headers: Record<string, string>): Promise<Record<string, string | string[] | undefined>> {
  const before = upstream.requests.length;
  const res = await fetch(`${gateway.url}/api/v1${path}`, { headers });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  expect(upstream.requests.length).toBe(before + 1);
  return upstream.requests[before]?.headers ?? {};
}

describe('credentials the gateway consumed', () => {
  it('an API key is stripped by default; the upstream gets the consumer it stood for', async () => {
    const seen = await upstreamSaw('/plain/orders', { 'x-api-key': API_KEY, 'x-kept': 'yes' });
    expect(seen['x-api-key']).toBeUndefined();
    expect(seen['x-consumer']).toBe('acme');
    expect(seen['x-consumer-tier']).toBe('premium');
    expect(seen['x-kept']).toBe('yes');
  });

  it('a bearer token is stripped by default; the upstream gets the verified user', async () => {
    const token = await signDevToken({ sub: 'u4', roles: ['support'] });
    const seen = await upstreamSaw('/plain/orders', { authorization: `Bearer ${token}` });
    expect(seen.authorization).toBeUndefined();
    expect(seen['x-user-id']).toBe('u4');
    expect(seen['x-user-roles']).toBe('support');
  });

  it('a route with forwardCredentials gets both as the client sent them, beside the identity', async () => {
    const withKey = await upstreamSaw('/partner/orders', { 'x-api-key': API_KEY });
    expect(withKey['x-api-key']).toBe(API_KEY);
    expect(withKey['x-consumer']).toBe('acme');

    const token = await signDevToken({ sub: 'u4' });
    const withToken = await upstreamSaw('/partner/orders', { authorization: `Bearer ${token}` });
    expect(withToken.authorization).toBe(`Bearer ${token}`);
    expect(withToken['x-user-id']).toBe('u4');
  });

  it('forwarding credentials never lets a client set the gateway-owned headers', async () => {
    const seen = await upstreamSaw('/partner/orders', { 'x-api-key': API_KEY, 'x-user-id': 'admin', 'x-gateway-signature': 'forged' });
    expect(seen['x-user-id']).toBeUndefined();
    expect(seen['x-gateway-signature']).not.toBe('forged');
  });
});
