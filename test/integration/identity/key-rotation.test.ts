import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { SIGNATURE_ERROR_HEADER } from '../../../gateway/identity-signing/protocol.ts';
import { createLogger } from '../../../gateway/telemetry/logger.ts';
import type { RunningSubgraph } from '../../../subgraphs/kit/serve-subgraph.ts';
import { startUsersSubgraph } from '../../../subgraphs/users/index.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { signAsGateway, type SigningKey } from '../../helpers/gateway-signature.ts';
import { postGraphQL } from '../../helpers/stack.ts';

/**
 * Key rotation with two key ids, on real servers. A users subgraph that accepts k1 and k2
 * keeps answering while the gateway moves from signing with k1 to signing with k2 (two
 * gateway configs, as a rolling deploy has both at once), with no restart of the subgraph;
 * one that only knows k2 refuses k1.
 */
const K1 = 'rotation-test-secret-one-0123456789abcdef';
const K2 = 'rotation-test-secret-two-0123456789abcdef';

let both: RunningSubgraph;
let onlyK2: RunningSubgraph;
const gateways: Gateway[] = [];
const errorLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  [both, onlyK2] = await Promise.all([
    startUsersSubgraph({ port: 0, signature: { keys: { k1: K1, k2: K2 } } }),
    startUsersSubgraph({ port: 0, signature: { keys: { k2: K2 } } }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([...gateways.map((g) => g.close()), both?.close(), onlyK2?.close()]);
});

async function gatewaySigning(usersUrl: string, keyId: string, keys: Record<string, string>): Promise<Gateway> {
  const log = createLogger(
    'error',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) errorLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  // Only users is routed to a test subgraph: `me` needs no other.
  const gateway = await startGateway({ subgraphs: { users: { url: usersUrl } }, identitySigning: { keyId, keys } }, { log });
  gateways.push(gateway);
  return gateway;
}

async function me(gateway: Gateway) {
  const token = await signDevToken({ sub: 'u1', scopes: ['users:read:email'] });
  return postGraphQL(`${gateway.url}/graphql`, '{ me { id email } }', undefined, { authorization: `Bearer ${token}` });
}

describe('identity signing key rotation', () => {
  it('a subgraph accepting k1 and k2 answers a gateway signing with k1, then one rotated to k2', async () => {
    const before = await gatewaySigning(both.url, 'k1', { k1: K1 });
    const first = await me(before);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.me).toEqual({ id: 'u1', email: 'ada@example.com' });

    const after = await gatewaySigning(both.url, 'k2', { k1: K1, k2: K2 });
    const second = await me(after);
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data?.me).toEqual({ id: 'u1', email: 'ada@example.com' });

    // Mid-rollout both sign at once, and the same subgraph process still takes both.
    const [a, b] = await Promise.all([me(before), me(after)]);
    expect([a.body.data?.me, b.body.data?.me]).toEqual([
      { id: 'u1', email: 'ada@example.com' },
      { id: 'u1', email: 'ada@example.com' },
    ]);
  });

  it('a subgraph that only knows k2 refuses k1: the caller gets no data, the operator an error log line', async () => {
    const old = await gatewaySigning(onlyK2.url, 'k1', { k1: K1 });
    errorLines.length = 0;
    const refused = await me(old);
    expect(refused.body.data?.me ?? null).toBeNull();
    // Our misconfiguration, not the client's fault nor the subgraph's health: a 500-class
    // error without the subgraph's refusal text (which names key ids).
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(JSON.stringify(refused.body)).not.toMatch(/ada@example\.com|k1|SIGNATURE/);
    const line = errorLines.find((l) => l.msg === 'upstream refused the gateway signature: check identitySigning keys against the keys it accepts');
    expect(line).toMatchObject({ upstream: 'users', keyId: 'k1', code: 'SIGNATURE_INVALID' });

    // Directly, the refusal says why: k1 is not accepted there.
    const rotated = await gatewaySigning(onlyK2.url, 'k2', { k2: K2 });
    expect((await me(rotated)).body.data?.me).toEqual({ id: 'u1', email: 'ada@example.com' });
  });

  it('directly, the k2-only subgraph says why: k1 is not a key it accepts (401 SIGNATURE_INVALID, in the header the gateway reads)', async () => {
    const body = JSON.stringify({ query: '{ me { id } }' });
    const ask = (key: SigningKey) =>
      fetch(onlyK2.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'u1', ...signAsGateway({ method: 'POST', url: onlyK2.url, base: onlyK2.url, headers: { 'x-user-id': 'u1' }, body }, key) },
        body,
      });
    const withK1 = await ask({ keyId: 'k1', secret: K1 });
    expect(withK1.status).toBe(401);
    expect(withK1.headers.get(SIGNATURE_ERROR_HEADER)).toBe('SIGNATURE_INVALID');
    expect(await withK1.json()).toMatchObject({ errors: [{ extensions: { code: 'SIGNATURE_INVALID' }, message: expect.stringContaining('"k1"') }] });
    // The same secret under the id the subgraph knows it by is simply a wrong signature.
    expect((await ask({ keyId: 'k2', secret: K1 })).status).toBe(401);
    const withK2 = await ask({ keyId: 'k2', secret: K2 });
    expect(withK2.status).toBe(200);
    expect(await withK2.json()).toEqual({ data: { me: { id: 'u1' } } });
  });
});
