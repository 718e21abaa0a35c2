import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_OWNED_HEADERS } from '../../../gateway/upstream/gateway-headers.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { echoJson } from '../../helpers/upstream-servers.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Every gateway-owned header, as a client might send it (in mixed case too). */
const forged: Record<string, string> = Object.fromEntries(
  GATEWAY_OWNED_HEADERS.flatMap((h) => [
    [h, 'forged'],
    [h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()), 'forged-mixed-case'],
  ]),
);

describe('identity headers (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  async function received(ctx: Parameters<TestPipeline['send']>[1], headers: Record<string, string>) {
    const server = await startTestServer(echoJson());
    const p = createTestPipeline([server.url]);
    cleanup.push(server, p);
    await p.send({ headers }, ctx);
    return server.requests[0]!.headers;
  }

  it('an anonymous call forwards none of the gateway-owned headers a client sent', async () => {
    const headers = await received({ requestId: 'req-1', traceparent: TRACEPARENT, tracestate: 'k=v' }, { ...forged, 'x-kept': 'yes' });
    for (const h of GATEWAY_OWNED_HEADERS) expect(headers[h], h).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
    expect(headers['x-request-id']).toBe('req-1');
    expect(headers.traceparent).toBe(TRACEPARENT);
    expect(headers.tracestate).toBe('k=v');
  });

  it('a verified user is forwarded in the gateway-owned headers, never the forged values', async () => {
    const headers = await received(
      { principal: { kind: 'user', subject: 'user-42', scopes: ['read', 'write'], roles: ['admin'], tier: 'gold' }, clientName: 'mobile' },
      forged,
    );
    expect(headers['x-user-id']).toBe('user-42');
    expect(headers['x-user-scopes']).toBe('read write');
    expect(headers['x-user-roles']).toBe('admin');
    expect(headers['x-consumer-tier']).toBe('gold');
    expect(headers['x-gateway-client']).toBe('mobile');
    expect(headers['x-consumer']).toBeUndefined();
  });

  it('a client-sent X-Request-ID is replaced by the context\'s request id', async () => {
    const headers = await received({ requestId: 'from-context' }, { 'x-request-id': 'from-client', 'X-Request-Id': 'from-client-2' });
    expect(headers['x-request-id']).toBe('from-context');
  });
});
