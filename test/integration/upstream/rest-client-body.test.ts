import { afterEach, describe, expect, it } from 'vitest';
import { createRestClient, DecodeError } from '../../../bffs/kit/rest-client.ts';
import { routeSchema } from '../../../gateway/config/schema.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestContext } from '../../helpers/upstream-context.ts';
import { createTestPipeline, errorCode, type TestPipeline } from '../../helpers/upstream-pipeline.ts';

interface Notice {
  readonly id: string;
}

const decodeNotice = (body: unknown): Notice => {
  if (body && typeof body === 'object' && 'id' in body && typeof body.id === 'string') return { id: body.id };
  throw new DecodeError('id: expected a string');
};

/**
 * The BFF REST client decodes a 2xx body inside the call: a body that is not JSON, or that
 * its decoder refuses, is UPSTREAM_BAD_RESPONSE the route's breaker counts, as the
 * GraphQL fetches' broken bodies are. Real REST upstream on loopback.
 */
describe('BFF REST client: the decoded body is the call\'s outcome (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  async function setUp(answers: Array<[number, string]>) {
    let n = 0;
    const server = await startTestServer((req, res) => {
      req.resume();
      const [status, body] = answers[Math.min(n++, answers.length - 1)]!;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    const p = createTestPipeline([server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 3, minimumRequests: 100, openMs: 60_000 } }, { name: 'notices' });
    cleanup.push(server, p);
    const client = createRestClient(p.registry, [routeSchema.parse({ name: 'notices', prefix: '/notices', targets: [{ url: server.url }] })]);
    const get = async (): Promise<string> => {
      const { ctx, dispose } = createTestContext();
      try {
        return JSON.stringify(await client.getJson('notices', '/n1', ctx, decodeNotice));
      } catch (error) {
        return errorCode(error);
      } finally {
        dispose();
      }
    };
    return { server, p, get };
  }

  it('decodes a good body', async () => {
    const { get } = await setUp([[200, '{"id":"n1"}']]);
    expect(await get()).toBe('{"id":"n1"}');
  });

  it('consecutive 200s that are not JSON or that the decoder refuses open the breaker', async () => {
    const { server, p, get } = await setUp([
      [200, 'not json'],
      [200, '{"id":7}'],
      [200, '<html>'],
    ]);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await get());
    expect(outcomes).toEqual(['UPSTREAM_BAD_RESPONSE', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_BAD_RESPONSE', 'CIRCUIT_OPEN', 'CIRCUIT_OPEN']);
    expect(server.requests).toHaveLength(3);
    expect(p.calls.slice(0, 3).map((c) => c.errorCode)).toEqual(Array(3).fill('UPSTREAM_BAD_RESPONSE'));
  });

  it('a non-2xx answer is its status, whatever its body: a 404 page is NOT_FOUND and never opens the breaker', async () => {
    const { p, get } = await setUp([[404, '<html>not found</html>']]);
    for (let i = 0; i < 5; i++) expect(await get()).toBe('NOT_FOUND');
    expect(p.pipeline.breakers.for(p.pipeline.definition.targets[0]!).state).toBe('closed');
  });
});
