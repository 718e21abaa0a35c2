import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../gateway/telemetry/logger.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
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

  /** The access line is written when the response has closed, a moment after the client has it. */
  async function accessLine(requestId: string): Promise<Record<string, unknown>> {
    const until = Date.now() + 2_000;
    while (!log.accessLine(requestId) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const line = log.accessLine(requestId);
    if (!line) throw new Error(`no access log line for ${requestId}`);
    return line;
  }

  it('writes one access line per request: ids, caller, door, operation, status, latency, upstream time, bytes', async () => {
    const token = await signDevToken({ sub: 'user-access-log', tier: 'premium' });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const body = JSON.stringify({ query: 'query LoggedOp { user(id: "u1") { name orders(first: 1) { id } } }' });
    const res = await fetch(`${stack.gateway.url}/graphql?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'access-log-1', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
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
    });
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
    for (const headers of credentials) {
      const a = await fetch(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: gql });
      await a.arrayBuffer();
      const b = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications?userId=u1&access_token=${secrets.query}`, { headers });
      await b.arrayBuffer();
      const c = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ password: secrets.password }) });
      await c.arrayBuffer();
      const d = await fetch(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: `{"broken": "${secrets.password}` });
      await d.arrayBuffer();
    }
    // Wait for the last access line, then search everything that was written.
    const until = Date.now() + 2_000;
    while (log.lines().filter((l) => l.msg === 'request').length < 4 * credentials.length && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(log.text.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(secrets), valid]) expect(log.text).not.toContain(secret);
    // The valid token's caller is still identified, by subject.
    expect(log.lines().some((l) => l.msg === 'request' && l.principal === 'secret-test-user')).toBe(true);
  });
});
