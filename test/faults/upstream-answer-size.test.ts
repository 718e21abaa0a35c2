import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { startGateway } from '../helpers/gateway.ts';
import { bodyOf, startTestServer, type TestServer } from '../helpers/http-server.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { sampleRss, streamFiller, type StreamedBody } from '../helpers/upstream-bodies.ts';
import { waitFor } from '../helpers/upstream-pipeline.ts';

const MiB = 1024 * 1024;
/** What the report measured: ten concurrent 50 MB subgraph answers. */
const ANSWER_BYTES = 50_000_000;
const CONCURRENT = 10;

/**
 * Upstream answers are bounded in bytes (`maxResponseBytes`, per upstream): an answer that
 * declares more is refused before it is read, one that streams more is cut at the limit.
 * Real upstreams on loopback send 50 MB answers; the gateway's memory is measured as the
 * peak RSS growth of this process (each test file runs in its own), against a generous
 * bound far below what reading them whole takes (about 690 MiB on the machine this was
 * written on, where these answers stay under 40 MiB).
 */
describe('fault: upstream answers larger than maxResponseBytes', () => {
  const cleanup: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c.close();
  });

  async function fillerUpstream(declareLength: boolean) {
    const sent: StreamedBody[] = [];
    const server: TestServer = await startTestServer(async (req, res) => {
      await bodyOf(req);
      sent.push(await streamFiller(res, ANSWER_BYTES, { declareLength }));
    });
    cleanup.push(server);
    return { server, sent };
  }

  /** Ten different queries at once (different ids: in-flight sharing must not merge them). */
  async function tenConcurrent(gateway: Gateway) {
    const rss = sampleRss();
    const before = process.memoryUsage().rss;
    const bodies = await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, i) => {
        const res = await request(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ review(id: "r${i}") { id rating } }` }),
        });
        return (await res.body.json()) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> };
      }),
    );
    return { bodies, growthMiB: (rss.stop() - before) / MiB };
  }

  it('ten concurrent 50 MB chunked subgraph answers are each cut at the limit, with RSS bounded', async () => {
    const { server, sent } = await fillerUpstream(false);
    const gateway = await startGateway({
      subgraphs: { reviews: { url: `${server.url}/graphql` } },
      upstreams: { reviews: { maxResponseBytes: 4 * MiB, retry: { attempts: 1 } } },
    });
    cleanup.push(gateway);
    const { bodies, growthMiB } = await tenConcurrent(gateway);
    for (const body of bodies) {
      expect(body.data).toEqual({ review: null });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_RESPONSE_TOO_LARGE', upstream: 'reviews', limitBytes: 4 * MiB });
    }
    await waitFor(() => sent.length === CONCURRENT, 'every answer to be cut');
    expect(sent.every((s) => s.cut && s.written < ANSWER_BYTES)).toBe(true);
    expect(growthMiB).toBeLessThan(200);
  });

  it('with the default limit, answers that declare 50 MB are refused before a byte is read', async () => {
    const { server, sent } = await fillerUpstream(true);
    const gateway = await startGateway({ subgraphs: { reviews: { url: `${server.url}/graphql` } }, upstreams: { reviews: { retry: { attempts: 1 } } } });
    cleanup.push(gateway);
    const { bodies, growthMiB } = await tenConcurrent(gateway);
    for (const body of bodies) expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_RESPONSE_TOO_LARGE', limitBytes: 32 * MiB });
    await waitFor(() => sent.length === CONCURRENT, 'every answer to be cut');
    expect(sent.every((s) => s.cut)).toBe(true);
    expect(growthMiB).toBeLessThan(150);
  });

  describe('through the REST passthrough, which streams', () => {
    async function passthrough(declareLength: boolean) {
      const { server, sent } = await fillerUpstream(declareLength);
      const log = captureLog('warn');
      const gateway = await startGateway(
        { routes: [{ name: 'files', prefix: '/files', targets: [{ url: server.url }], policy: { maxResponseBytes: MiB } }], log: { level: 'warn' } },
        { log: log.log },
      );
      cleanup.push(gateway);
      return { sent, log, gateway };
    }

    it('an answer that declares more than the limit is a 502 UPSTREAM_RESPONSE_TOO_LARGE problem, sent before any of it', async () => {
      const { sent, gateway } = await passthrough(true);
      const res = await request(`${gateway.url}/api/v1/files/big`);
      expect(res.statusCode).toBe(502);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(await res.body.json()).toMatchObject({ code: 'UPSTREAM_RESPONSE_TOO_LARGE', limitBytes: MiB, upstream: 'files' });
      await waitFor(() => sent.length === 1, 'the upstream answer to be cut');
      expect(sent[0]).toMatchObject({ cut: true });
    });

    it('a chunked answer streams until the limit and is cut there, without buffering it', async () => {
      const { sent, log, gateway } = await passthrough(false);
      const res = await request(`${gateway.url}/api/v1/files/big`);
      expect(res.statusCode).toBe(200);
      let received = 0;
      const outcome = await new Promise<'complete' | 'cut'>((resolve) => {
        res.body.on('data', (c: Buffer) => (received += c.length));
        res.body.once('end', () => resolve('complete'));
        res.body.once('error', () => resolve('cut'));
      });
      expect(outcome).toBe('cut');
      expect(received).toBeLessThanOrEqual(MiB);
      await waitFor(() => sent.length === 1, 'the upstream answer to be cut');
      expect(sent[0]!.written).toBeLessThan(ANSWER_BYTES);
      await waitFor(() => log.lines.some((l) => l.code === 'UPSTREAM_RESPONSE_TOO_LARGE'), 'the cut to be logged');
      expect(log.errors()).toEqual([]);
    });
  });
});
