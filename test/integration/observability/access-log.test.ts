import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { createLogger } from '../../../gateway/telemetry/logger.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startStack, type Stack } from '../../helpers/stack.ts';

/** The JSON lines a gateway writes, captured in memory. */
class CapturedLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  accessLine(requestId: string): Record<string, unknown> | undefined {
    return this.lines().find((l) => l.msg === 'request' && l.requestId === requestId);
  }
}

/** The access line is written when the response has closed, a moment after the client has it: wait (bounded). */
async function waitForAccessLine(log: CapturedLog, requestId: string): Promise<Record<string, unknown>> {
  const until = Date.now() + 5_000;
  while (!log.accessLine(requestId) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  const line = log.accessLine(requestId);
  if (!line) throw new Error(`no access log line for ${requestId}`);
  return line;
}

/** Structured logs of a real gateway (tracing off in this file): the access line, and no secrets anywhere. */
describe('structured logs', () => {
  const log = new CapturedLog();
  let stack: Stack;

  beforeAll(async () => {
    // `trace`: every line the gateway (and Apollo under it) can write is captured.
    stack = await startStack({ log: { level: 'trace' }, upstreamDefaults: { retry: { attempts: 1 } } }, { log: createLogger('trace', log) });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const accessLine = (requestId: string): Promise<Record<string, unknown>> => waitForAccessLine(log, requestId);

  it('writes one access line per request: ids, caller, door, operation, status, latency, upstream time, bytes', async () => {
    const token = await signDevToken({ sub: 'user-access-log', tier: 'premium' });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const body = JSON.stringify({ query: 'query LoggedOp { user(id: "u1") { name orders(first: 1) { id } } }' });
    const res = await fetch(`${stack.gateway.url}/graphql?x=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-request-id': 'access-log-1',
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
        'user-agent': `AccessLogTest/1.0 ${'x'.repeat(1000)}`,
      },
      body,
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    const line = await accessLine('access-log-1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      requestId: 'access-log-1',
      traceId,
      door: 'graphql',
      method: 'POST',
      path: '/graphql',
      operation: 'LoggedOp',
      status: 200,
      principal: 'user-access-log',
      principalKind: 'user',
      upstreamCalls: 2,
      clientIp: '127.0.0.1',
    });
    // Who sent it, bounded: the header was 1,000 characters longer.
    expect(line.userAgent).toBe(`AccessLogTest/1.0 ${'x'.repeat(1000)}`.slice(0, 256));
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.upstreamMs as number).toBeGreaterThan(0);
    expect(line.upstreamMs as number).toBeLessThanOrEqual(2 * (line.durationMs as number));
    // On the wire: the request (line, headers, body) and the full response.
    expect(line.bytesIn as number).toBeGreaterThan(Buffer.byteLength(body));
    expect(line.bytesOut as number).toBeGreaterThan(Buffer.byteLength(text));
    expect(log.lines().filter((l) => l.msg === 'request' && l.requestId === 'access-log-1')).toHaveLength(1);
  });

  it('names REST routes and error codes', async () => {
    const ok = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications?userId=u1`, { headers: { 'x-request-id': 'access-log-2' } });
    await ok.arrayBuffer();
    expect(await accessLine('access-log-2')).toMatchObject({ door: 'rest', route: 'notifications', status: 200, upstreamCalls: 1, principalKind: 'anonymous' });
    const missing = await fetch(`${stack.gateway.url}/api/v1/nowhere`, { headers: { 'x-request-id': 'access-log-3' } });
    await missing.arrayBuffer();
    expect(await accessLine('access-log-3')).toMatchObject({ door: 'rest', status: 404, code: 'NOT_FOUND', upstreamCalls: 0 });
  });

  it('never writes a token, an API key, a cookie or a body, whatever the request did', async () => {
    const secrets = {
      token: `eyJhbGciOiJFUzI1NiJ9.SECRET-BEARER-${Date.now()}.c2lnbmF0dXJl`,
      apiKey: `SECRET-API-KEY-${Date.now()}`,
      cookie: `SECRET-COOKIE-${Date.now()}`,
      password: `SECRET-PASSWORD-${Date.now()}`,
      query: `SECRET-QUERY-${Date.now()}`,
    };
    const valid = await signDevToken({ sub: 'secret-test-user', tier: 'free' });
    const credentials: Array<Record<string, string>> = [
      { authorization: `Bearer ${secrets.token}` },
      { authorization: `Bearer ${valid}` },
      { 'x-api-key': secrets.apiKey },
      { cookie: `session=${secrets.cookie}` },
    ];
    const gql = JSON.stringify({ query: 'query Login($p: String) { user(id: "u1") { name } }', variables: { p: secrets.password } });
    const requestIds: string[] = [];
    for (const [i, credential] of credentials.entries()) {
      const headers = (kind: string): Record<string, string> => {
        requestIds.push(`secrets-${i}-${kind}`);
        return { ...credential, 'x-request-id': `secrets-${i}-${kind}` };
      };
      const a = await fetch(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers('a') }, body: gql });
      await a.arrayBuffer();
      const b = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications?userId=u1&access_token=${secrets.query}`, { headers: headers('b') });
      await b.arrayBuffer();
      const c = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers('c') }, body: JSON.stringify({ password: secrets.password }) });
      await c.arrayBuffer();
      const d = await fetch(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers('d') }, body: `{"broken": "${secrets.password}` });
      await d.arrayBuffer();
    }
    // Wait for these requests' own access lines (each is the last thing its request writes), then search everything written.
    for (const id of requestIds) await accessLine(id);
    expect(requestIds).toHaveLength(4 * credentials.length);
    expect(log.text.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(secrets), valid]) expect(log.text).not.toContain(secret);
    // The valid token's caller is still identified, by subject.
    expect(log.lines().some((l) => l.msg === 'request' && l.principal === 'secret-test-user')).toBe(true);
  });
});

/**
 * Policy events as structured lines of their own: a breaker opening, a rate-limit refusal
 * and an authentication failure each name what happened and to whom (the consumer, never
 * the key; the reason, never the token).
 */
describe('policy event logs', () => {
  const log = new CapturedLog();
  const apiKey = `SECRET-PARTNER-KEY-${randomUUID()}`;
  const wrongKey = `SECRET-WRONG-KEY-${randomUUID()}`;
  const badToken = `eyJhbGciOiJSUzI1NiJ9.SECRET-POLICY-TOKEN-${randomUUID()}.c2ln`;
  const dead = 'http://127.0.0.1:1';
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway(
      {
        log: { level: 'info' },
        auth: { apiKeys: [{ id: 'partner-key', hash: createHash('sha256').update(apiKey).digest('hex'), consumer: 'partner-co', tier: 'standard', routes: ['*'] }] },
        routes: [{ name: 'dead', prefix: '/dead', targets: [{ url: dead }] }],
        // Two calls reach the (dead) upstream and open its breaker; the third is refused by the limit.
        rateLimit: { routes: { dead: { limit: 2 } } },
        upstreamDefaults: { retry: { attempts: 1 }, breaker: { consecutiveFailures: 2, minimumRequests: 100, openMs: 60_000 } },
      },
      { log: createLogger('info', log) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
  });

  async function send(requestId: string, headers: Record<string, string>): Promise<number> {
    const res = await fetch(`${gateway.url}/api/v1/dead/x`, { headers: { ...headers, 'x-request-id': requestId } });
    await res.arrayBuffer();
    await waitForAccessLine(log, requestId);
    return res.status;
  }

  it('logs a breaker transition, a rate-limit refusal and authentication failures as structured lines, without the key or token', async () => {
    const statuses = [];
    for (const id of ['policy-1', 'policy-2', 'policy-3']) statuses.push(await send(id, { 'x-api-key': apiKey }));
    expect(statuses).toEqual([502, 502, 429]);
    expect(await send('policy-4', { 'x-api-key': wrongKey })).toBe(401);
    expect(await send('policy-5', { authorization: `Bearer ${badToken}` })).toBe(401);

    const lines = log.lines();
    const breaker = lines.filter((l) => l.msg === 'circuit breaker state changed');
    expect(breaker).toEqual([expect.objectContaining({ level: 40, upstream: 'dead', origin: dead, from: 'closed', to: 'open', reason: expect.any(String) })]);

    const limited = lines.filter((l) => l.msg === 'rate limited');
    expect(limited).toEqual([
      expect.objectContaining({ level: 30, requestId: 'policy-3', scope: 'route:dead', tier: 'standard', identity: 'c:partner-co', reason: 'limit-exceeded' }),
    ]);

    const authFailed = lines.filter((l) => l.msg === 'authentication failed');
    expect(authFailed.map((l) => l.requestId)).toEqual(['policy-4', 'policy-5']);
    for (const l of authFailed) expect(l).toMatchObject({ level: 30, code: 'UNAUTHENTICATED', reason: expect.any(String) });
    expect(authFailed[0]?.reason).toBe('invalid_api_key');

    // The consumer is named on its access lines; the credentials appear nowhere.
    expect(log.accessLine('policy-3')).toMatchObject({ status: 429, code: 'RATE_LIMITED', principal: 'partner-co', principalKind: 'consumer' });
    for (const secret of [apiKey, wrongKey, badToken, 'SECRET-']) expect(log.text).not.toContain(secret);
  });
});
