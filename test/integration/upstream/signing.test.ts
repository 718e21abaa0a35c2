import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BODY_DIGEST_HEADER,
  DEV_KEY_ID,
  DEV_SECRET,
  EMPTY_BODY_DIGEST,
  KEY_ID_HEADER,
  UNSIGNED_BODY,
  bodyDigest,
} from '../../../gateway/identity-signing/protocol.ts';
import { createSignatureVerifier } from '../../../gateway/identity-signing/verify.ts';
import type { RecordedRequest } from '../../helpers/http-server.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { echoJson } from '../../helpers/upstream-servers.ts';

/** The pipeline's sign-request policy against a recording upstream on loopback. */
const verifier = createSignatureVerifier({ keys: { [DEV_KEY_ID]: DEV_SECRET } });
const USER = { kind: 'user', subject: 'u9', scopes: ['a', 'b'], roles: ['support'], tier: 'standard' } as const;

function verifies(request: RecordedRequest, signedPath: string) {
  return verifier.verify({ method: request.method, path: signedPath, headers: request.headers });
}

describe('every upstream call is signed (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  async function pipelineTo(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> = echoJson(), policy = {}) {
    const server = await startTestServer(handler);
    const p = createTestPipeline([`${server.url}${path}`], policy);
    cleanup.push(server, p);
    return { server, p };
  }

  it('over the path below the target\'s base URL, the method, the identity and the request id', async () => {
    const { server, p } = await pipelineTo('/base');
    await p.send({ method: 'GET', path: '/items/7?expand=1' }, { principal: USER, requestId: 'req-sig-1', clientName: 'web' });
    const seen = server.requests[0];
    if (!seen) throw new Error('no request');
    expect(seen.url).toBe('/base/items/7?expand=1');
    expect(seen.headers[KEY_ID_HEADER]).toBe(DEV_KEY_ID);
    expect(seen.headers[BODY_DIGEST_HEADER]).toBe(EMPTY_BODY_DIGEST);
    expect(verifies(seen, '/items/7?expand=1')).toMatchObject({ ok: true, keyId: DEV_KEY_ID });
    // The base is the upstream's own (a proxy may rewrite it); what the gateway chose is signed.
    expect(verifies(seen, '/base/items/7?expand=1')).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifier.verify({ method: 'DELETE', path: '/items/7?expand=1', headers: seen.headers })).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifier.verify({ method: 'GET', path: '/items/7?expand=1', headers: { ...seen.headers, 'x-request-id': 'other' } })).toMatchObject({ ok: false });
  });

  it('a body the pipeline holds is digested; a streamed one goes unsigned, never buffered', async () => {
    const { server, p } = await pipelineTo('');
    const body = JSON.stringify({ query: '{ me { id } }' });
    await p.send({ method: 'POST', path: '/graphql', body, headers: { 'content-type': 'application/json' } }, { principal: USER });
    await p.send({ method: 'PUT', path: '/upload', body: Readable.from([Buffer.from('chunk one '), Buffer.from('chunk two')]), idempotent: false }, { principal: USER });
    const [held, streamed] = server.requests;
    expect(held?.headers[BODY_DIGEST_HEADER]).toBe(bodyDigest(body));
    expect(streamed?.headers[BODY_DIGEST_HEADER]).toBe(UNSIGNED_BODY);
    if (!held || !streamed) throw new Error('missing requests');
    expect(verifies(held, '/graphql').ok).toBe(true);
    expect(verifies(streamed, '/upload').ok).toBe(true);
  });

  it('each attempt is signed: a retried call verifies on every attempt', async () => {
    let calls = 0;
    const { server, p } = await pipelineTo('', async (req, res) => {
      req.resume();
      res.writeHead(++calls === 1 ? 503 : 200).end('ok');
    }, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const { statusCode } = await p.send({ method: 'GET', path: '/flaky' }, { principal: USER });
    expect(statusCode).toBe(200);
    expect(server.requests.length).toBe(2);
    for (const attempt of server.requests) expect(verifies(attempt, '/flaky').ok).toBe(true);
  });

  it('a client\'s own signature headers are replaced, not forwarded beside the gateway\'s', async () => {
    const { server, p } = await pipelineTo('');
    await p.send({ headers: { 'X-Gateway-Signature': 'v1=forged', 'x-gateway-key-id': 'evil', 'x-gateway-timestamp': '1' } }, { principal: USER });
    const seen = server.requests[0];
    if (!seen) throw new Error('no request');
    expect(seen.headers[KEY_ID_HEADER]).toBe(DEV_KEY_ID);
    expect(verifies(seen, '/').ok).toBe(true);
  });

  it('an upstream refusing the signature is the gateway\'s fault: INTERNAL_SERVER_ERROR, not retried', async () => {
    const { server, p } = await pipelineTo('', (req, res) => {
      req.resume();
      res.writeHead(401, { 'x-gateway-signature-error': 'SIGNATURE_INVALID', 'content-type': 'application/json' }).end('{"error":"SIGNATURE_INVALID"}');
    }, { retry: { attempts: 3, retryOnStatus: [401] } });
    expect(await p.outcome({ method: 'GET', path: '/x' }, { principal: USER })).toBe('INTERNAL_SERVER_ERROR');
    expect(server.requests.length).toBe(1);
    // An ordinary 401 (no signature error header) is the upstream's answer, passed on.
    const { server: plain, p: plainPipeline } = await pipelineTo('', (req, res) => {
      req.resume();
      res.writeHead(401).end();
    });
    expect(await plainPipeline.outcome()).toBe('status 401');
    expect(plain.requests.length).toBe(1);
  });
});
