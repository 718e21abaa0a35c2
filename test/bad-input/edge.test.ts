import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { startGateway } from '../helpers/gateway.ts';

/** What a client gets for input the gateway refuses before any upstream is called. */
describe('bad input at the edge', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ server: { bodyLimitBytes: 1024 } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body });

  it('malformed JSON → 400 MALFORMED_JSON saying where it broke', async () => {
    const res = await post('{"query": "{ __typename }"');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('MALFORMED_JSON');
    expect(body.errors[0]?.message).toMatch(/not valid JSON: .*JSON/);
  });

  it('an empty body → 400 MALFORMED_JSON', async () => {
    const res = await post('');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('MALFORMED_JSON');
  });

  it('a body over the limit → 413 PAYLOAD_TOO_LARGE, whether declared or chunked', async () => {
    const big = JSON.stringify({ query: `{ __typename } # ${'x'.repeat(2000)}` });
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');

    // Chunked: no Content-Length, so the limit must be enforced while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${gateway.url}/graphql`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(big.slice(i * 600, (i + 1) * 600));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('a non-JSON content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await post('query { __typename }', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown route → 404 problem+json with a stable code', async () => {
    const res = await fetch(`${gateway.url}/no/such/route?x=1`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not found', instance: '/no/such/route?x=1' });
    expect(problem.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('a method /graphql does not serve → 405 with Allow', async () => {
    const res = await fetch(`${gateway.url}/graphql`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('an invalid query → 400 with GraphQL validation errors, not a 500', async () => {
    const parse = await post(JSON.stringify({ query: '{ product(id: ' }));
    expect(parse.status).toBe(400);
    const unknownField = await post(JSON.stringify({ query: '{ noSuchField }' }));
    expect(unknownField.status).toBe(400);
    const body = (await unknownField.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('the gateway still serves after all of the above', async () => {
    const res = await fetch(`${gateway.url}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('a refused body on a keep-alive connection', () => {
  it('is answered and the connection closed, so the next request is not parsed from its rest', async () => {
    const gateway = await startGateway({ server: { bodyLimitBytes: 1024 } });
    try {
      const url = new URL(`${gateway.url}/graphql`);
      const { status, connection } = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'keep-alive' } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
          },
        );
        req.on('error', reject);
        req.write('{"query":"' + 'x'.repeat(2048));
      });
      expect(status).toBe(413);
      expect(connection).toBe('close');
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
