import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { BODY_DIGEST_HEADER, EMPTY_BODY_DIGEST, KEY_ID_HEADER, SIGNATURE_ERROR_HEADER, SIGNATURE_HEADER, SIGNATURE_HEADERS, TIMESTAMP_HEADER, UNSIGNED_BODY, bodyDigest } from '../../../gateway/identity-signing/protocol.ts';
import { serviceNamed } from '../../../subgraphs/catalog.ts';
import { startUsersSubgraph } from '../../../subgraphs/users/index.ts';
import type { RunningSubgraph } from '../../../subgraphs/kit/serve-subgraph.ts';
import { startProxiedStack, type ProxiedStack } from '../../helpers/proxied-stack.ts';
import type { ProxiedCall } from '../../helpers/recording-proxy.ts';
import { signAsGateway } from '../../helpers/gateway-signature.ts';

/**
 * Signed identity end to end, on real servers: the demo stack with a recording proxy
 * between the gateway and every upstream (which also rewrites the path prefix, as an
 * ingress would: the signature is over the path below the routing URL, so it still
 * verifies), and direct calls to the services as an attacker on the network would make.
 */
let stack: ProxiedStack;
let staleClockMs = 0;
/** A second users subgraph whose clock the test moves, to replay a signature after its window. */
let lateUsers: RunningSubgraph;

beforeAll(async () => {
  stack = await startProxiedStack();
  lateUsers = await startUsersSubgraph({ port: 0, signature: { now: () => Date.now() + staleClockMs } });
});

afterAll(async () => {
  await Promise.allSettled([stack?.close(), lateUsers?.close()]);
});

const ME = '{ me { id email } }';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: { me?: { id: string; email: string | null } | null } | null; errors?: Array<{ message: string; extensions?: { code?: string } }>; error?: string };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

/** The request the gateway sent, as the proxy received it: headers minus hop-by-hop ones. */
function replayHeaders(call: ProxiedCall, changes: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { ...out, ...changes };
}

/** One `{ me { email } }` through the gateway as u2, and the users fetch it made. */
async function meThroughGateway(): Promise<{ answer: Answer; call: ProxiedCall }> {
  stack.proxy.reset();
  const token = await signDevToken({ sub: 'u2', scopes: ['users:read:email'] });
  const answer = await post(`${stack.gateway.url}/graphql`, JSON.stringify({ query: ME }), { authorization: `Bearer ${token}` });
  const call = stack.proxy.calls.find((c) => c.upstream === 'users');
  if (!call) throw new Error('the gateway made no users fetch');
  return { answer, call };
}

describe('a subgraph reached directly', () => {
  it('refuses forged identity headers without a signature: 401 SIGNATURE_REQUIRED, nobody\'s data', async () => {
    const users = serviceNamed(stack.services, 'users', 'subgraph');
    const r = await post(users.url, JSON.stringify({ query: ME }), { 'x-user-id': 'u2', 'x-user-scopes': 'users:read:email', 'x-user-roles': 'admin' });
    expect(r.status).toBe(401);
    expect(r.headers.get(SIGNATURE_ERROR_HEADER)).toBe('SIGNATURE_REQUIRED');
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SIGNATURE_REQUIRED');
    expect(JSON.stringify(r.body)).not.toContain('@');
  });

  it('refuses a made-up signature: 401 SIGNATURE_INVALID', async () => {
    const users = serviceNamed(stack.services, 'users', 'subgraph');
    const body = JSON.stringify({ query: ME });
    const r = await post(users.url, body, {
      'x-user-id': 'u2',
      [SIGNATURE_HEADER]: `v1=${'A'.repeat(43)}`,
      [KEY_ID_HEADER]: 'dev',
      [TIMESTAMP_HEADER]: String(Math.floor(Date.now() / 1000)),
      [BODY_DIGEST_HEADER]: bodyDigest(body),
    });
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SIGNATURE_INVALID');
  });

  it('still answers its health check unsigned', async () => {
    const users = serviceNamed(stack.services, 'users', 'subgraph');
    const res = await fetch(`http://127.0.0.1:${users.port}/health`);
    expect(res.status).toBe(200);
  });

  it('a REST service refuses unsigned identity too, in its own error shape', async () => {
    const notifications = serviceNamed(stack.services, 'notifications', 'rest');
    const res = await fetch(`${notifications.url}/notifications?userId=u2`, { headers: { 'x-user-id': 'u2' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'SIGNATURE_REQUIRED' });
    expect((await fetch(`${notifications.url}/health`)).status).toBe(200);
  });
});

describe('a REST service reached directly with a real signature', () => {
  it('refuses a body other than the one signed, and a body under a signature over none', async () => {
    const notifications = serviceNamed(stack.services, 'notifications', 'rest');
    const url = `${notifications.url}/notifications`;
    const signedBody = JSON.stringify({ userId: 'u2', kind: 'order', title: 'Signed', body: 'This one.' });
    const sentBody = JSON.stringify({ userId: 'u1', kind: 'order', title: 'Swapped', body: 'Another.' });
    const headers = { 'content-type': 'application/json', 'x-user-id': 'u2' };
    const swapped = await fetch(url, { method: 'POST', headers: { ...headers, ...signAsGateway({ method: 'POST', url, base: notifications.url, headers, body: signedBody }) }, body: sentBody });
    expect(swapped.status).toBe(401);
    expect(await swapped.json()).toMatchObject({ error: 'SIGNATURE_INVALID' });

    const overNone = signAsGateway({ method: 'POST', url, base: notifications.url, headers, body: null });
    const withBody = await fetch(url, { method: 'POST', headers: { ...headers, ...overNone }, body: sentBody });
    expect(withBody.status).toBe(401);

    const honest = await fetch(url, { method: 'POST', headers: { ...headers, ...signAsGateway({ method: 'POST', url, base: notifications.url, headers, body: signedBody }) }, body: signedBody });
    expect(honest.status).toBe(201);
  });
});

describe('through the gateway', () => {
  it('the subgraph verifies the gateway\'s signature and answers the verified caller', async () => {
    const { answer, call } = await meThroughGateway();
    expect(answer.status).toBe(200);
    expect(answer.body.data?.me).toEqual({ id: 'u2', email: 'grace@example.com' });
    // What went upstream: the identity, signed with the dev key, over this very body.
    expect(call.headers['x-user-id']).toBe('u2');
    expect(call.headers[KEY_ID_HEADER]).toBe('dev');
    expect(call.headers[SIGNATURE_HEADER]).toMatch(/^v1=[A-Za-z0-9_-]{43}$/);
    expect(call.headers[BODY_DIGEST_HEADER]).toBe(bodyDigest(call.body));
  });

  it('a client cannot send its own signature headers: the gateway replaces them', async () => {
    stack.proxy.reset();
    const forged = Object.fromEntries(SIGNATURE_HEADERS.map((h) => [h, 'forged']));
    const r = await post(`${stack.gateway.url}/graphql`, JSON.stringify({ query: ME }), forged);
    expect(r.status).toBe(200);
    expect(r.body.data?.me).toBeNull();
    const call = stack.proxy.calls.find((c) => c.upstream === 'users');
    for (const h of SIGNATURE_HEADERS) expect(call?.headers[h], h).not.toBe('forged');
  });

  it('REST passthrough calls are signed too: a GET over no body, a streamed POST body as unsigned', async () => {
    stack.proxy.reset();
    const token = await signDevToken({ sub: 'u1' });
    const list = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications?userId=u1`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items.length).toBe(5);
    const created = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u1', kind: 'order', title: 'Signed', body: 'Through the gateway.' }),
    });
    expect(created.status).toBe(201);
    const [get, postCall] = stack.proxy.calls.filter((c) => c.upstream === 'notifications');
    expect(get?.headers[BODY_DIGEST_HEADER]).toBe(EMPTY_BODY_DIGEST);
    expect(postCall?.headers[BODY_DIGEST_HEADER]).toBe(UNSIGNED_BODY);
    expect(postCall?.headers['x-user-id']).toBe('u1');
  });
});

describe('a captured gateway request, replayed', () => {
  it('verifies unchanged within the window, and is refused with any identity header or the body changed', async () => {
    const { call } = await meThroughGateway();
    const users = serviceNamed(stack.services, 'users', 'subgraph');

    const same = await post(users.url, call.body, replayHeaders(call));
    expect(same.status).toBe(200);
    expect(same.body.data?.me?.id).toBe('u2');

    const otherUser = await post(users.url, call.body, replayHeaders(call, { 'x-user-id': 'u1' }));
    expect(otherUser.status).toBe(401);
    expect(otherUser.body.errors?.[0]?.extensions?.code).toBe('SIGNATURE_INVALID');

    const moreRoles = await post(users.url, call.body, replayHeaders(call, { 'x-user-roles': 'admin' }));
    expect(moreRoles.status).toBe(401);

    const otherQuery = call.body.replace('email', 'name');
    expect(otherQuery).not.toBe(call.body);
    const otherBody = await post(users.url, otherQuery, replayHeaders(call));
    expect(otherBody.status).toBe(401);
    expect(otherBody.body.errors?.[0]?.extensions?.code).toBe('SIGNATURE_INVALID');
  });

  it('is refused once its timestamp is outside the skew window (30 s): 401 SIGNATURE_EXPIRED', async () => {
    const { call } = await meThroughGateway();
    staleClockMs = 0;
    const fresh = await post(lateUsers.url, call.body, replayHeaders(call));
    expect(fresh.status).toBe(200);
    expect(fresh.body.data?.me?.id).toBe('u2');

    staleClockMs = 31_000;
    const stale = await post(lateUsers.url, call.body, replayHeaders(call));
    expect(stale.status).toBe(401);
    expect(stale.headers.get(SIGNATURE_ERROR_HEADER)).toBe('SIGNATURE_EXPIRED');
    expect(stale.body.errors?.[0]?.extensions?.code).toBe('SIGNATURE_EXPIRED');
    expect(stale.body.data).toBeUndefined();

    // A clock that runs behind is the same window, the other way (by more than 31 s: the
    // timestamp is whole seconds and the request was signed a moment ago).
    staleClockMs = -40_000;
    expect((await post(lateUsers.url, call.body, replayHeaders(call))).status).toBe(401);
    staleClockMs = 0;
  });
});
