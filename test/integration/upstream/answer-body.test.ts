import { afterEach, describe, expect, it } from 'vitest';
import { graphQLAnswerReader } from '../../../gateway/graphql/graphql-answer.ts';
import type { BodyReader, UpstreamRequest } from '../../../gateway/upstream/types.ts';
import { bodyOf, startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { createTestContext, type TestContextOptions } from '../../helpers/upstream-context.ts';
import { createTestPipeline, errorCode, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { stallBody, streamFiller, type StreamedBody } from '../../helpers/upstream-bodies.ts';

const MiB = 1024 * 1024;
const readAnswer = graphQLAnswerReader('svc');

/**
 * A call's outcome includes its body: with a body reader on the request, the pipeline
 * reads the answer inside the call (within the attempt's timeout, below the breaker), so
 * what the breaker, retry, telemetry and logs see is the whole answer. Real upstreams on
 * loopback; the pipeline is the one the gateway builds from config.
 */
describe('answer bodies inside the call (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });
  const track = <T extends TestServer | TestPipeline>(t: T): T => {
    cleanup.push(t);
    return t;
  };

  /** One call with `readBody`, on a context whose logger the test reads. */
  async function read<T>(p: TestPipeline, readBody: BodyReader<T>, ctxOptions: TestContextOptions = {}, req: Partial<UpstreamRequest<T>> = {}) {
    const { ctx: base, dispose } = createTestContext(ctxOptions);
    const captured = captureLog('info');
    const ctx = { ...base, log: captured.log };
    try {
      const res = await p.pipeline.call({ upstream: 'svc', method: 'POST', path: '/graphql', headers: {}, body: '{}', idempotent: true, ctx, readBody, ...req });
      return { res, error: undefined, lines: captured.lines };
    } catch (error) {
      return { res: undefined, error, lines: captured.lines };
    } finally {
      dispose();
    }
  }

  const extensionsOf = (error: unknown): Record<string, unknown> =>
    error && typeof error === 'object' && 'extensions' in error ? (error.extensions as Record<string, unknown>) : {};

  it('a body that stalls mid-stream is UPSTREAM_TIMEOUT of the attempt, logged at warn, and the call is timed to the cut', async () => {
    const server = track(await startTestServer((req, res) => void bodyOf(req).then(() => stallBody(res))));
    const p = track(createTestPipeline([server.url], { timeoutMs: 300, retry: { attempts: 1 } }, { kind: 'subgraph' }));
    const { error, lines } = await read(p, readAnswer);
    expect(errorCode(error)).toBe('UPSTREAM_TIMEOUT');
    expect(extensionsOf(error)).toMatchObject({ upstream: 'svc', limit: 'attempt', timeoutMs: 300 });
    // The call lasted until the timeout cut the body, not until the headers came.
    expect(p.calls.map((c) => c.errorCode)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(p.calls[0]!.durationMs).toBeGreaterThanOrEqual(270);
    const warn = lines.filter((l) => l.level === 40);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({ upstream: 'svc', code: 'UPSTREAM_TIMEOUT', limit: 'attempt', timeoutMs: 300 });
    await waitFor(() => server.requests[0]?.endedAt !== undefined, 'the upstream to see the stalled answer cut');
  });

  it("a body cut by the request's deadline says so, with the deadline's figure", async () => {
    const server = track(await startTestServer((req, res) => void bodyOf(req).then(() => stallBody(res))));
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000, retry: { attempts: 1 } }, { kind: 'subgraph' }));
    const { error } = await read(p, readAnswer, { deadlineMs: 300 });
    expect(errorCode(error)).toBe('UPSTREAM_TIMEOUT');
    expect(extensionsOf(error)).toMatchObject({ limit: 'deadline', timeoutMs: 300 });
    expect((error as Error).message).toContain("the request's deadline of 300 ms");
  });

  it('headers that never come within a nearer deadline also name the deadline, not timeoutMs', async () => {
    const server = track(await startTestServer((req) => void req.resume()));
    const p = track(createTestPipeline([server.url], { timeoutMs: 10_000, retry: { attempts: 1 } }));
    const { error } = await read(p, readAnswer, { deadlineMs: 250 });
    expect(extensionsOf(error)).toMatchObject({ limit: 'deadline', timeoutMs: 250 });
  });

  it('consecutive 200s whose bodies are broken are failures: UPSTREAM_BAD_RESPONSE, and they open the breaker', async () => {
    const bodies = ['not json', '{"unexpected":true}', '[1,2', '"a string"'];
    let n = 0;
    const server = track(
      await startTestServer(async (req, res) => {
        await bodyOf(req);
        res.writeHead(200, { 'content-type': 'application/json' }).end(bodies[n++ % bodies.length]);
      }),
    );
    const p = track(createTestPipeline([server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 4, minimumRequests: 100, openMs: 60_000 } }, { kind: 'subgraph' }));
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(errorCode((await read(p, readAnswer)).error));
    expect(outcomes).toEqual([...Array(4).fill('UPSTREAM_BAD_RESPONSE'), 'CIRCUIT_OPEN', 'CIRCUIT_OPEN']);
    expect(server.requests).toHaveLength(4);
    expect(p.breakerChanges.map((c) => [c.to, c.reason])).toEqual([['open', '4 consecutive failures']]);
    expect(p.calls.slice(0, 4).map((c) => [c.statusCode, c.errorCode])).toEqual(Array(4).fill([undefined, 'UPSTREAM_BAD_RESPONSE']));
  });

  it('a good body is handed back read: the reader ran once, inside the call', async () => {
    const server = track(
      await startTestServer(async (req, res) => {
        await bodyOf(req);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"review":{"id":"r1"}}}');
      }),
    );
    const p = track(createTestPipeline([server.url], {}, { kind: 'subgraph' }));
    const { res } = await read(p, readAnswer);
    expect(res?.statusCode).toBe(200);
    expect(res?.read?.value).toEqual({ data: { review: { id: 'r1' } } });
    expect(p.calls.map((c) => [c.statusCode, c.errorCode])).toEqual([[200, undefined]]);
  });

  it('a retryable status whose body the reader refuses is still that status to the retry policy', async () => {
    let n = 0;
    const server = track(
      await startTestServer(async (req, res) => {
        await bodyOf(req);
        if (n++ === 0) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
      }),
    );
    const p = track(createTestPipeline([server.url], { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }, { kind: 'subgraph' }));
    const { res } = await read(p, readAnswer);
    expect(res?.read?.value).toEqual({ data: { ok: true } });
    expect(p.retries.map((r) => r.reason)).toEqual(['status 503']);
  });

  it('a retryable status with a good body is retried as before: the read body is let go', async () => {
    let n = 0;
    const server = track(
      await startTestServer(async (req, res) => {
        await bodyOf(req);
        if (n++ === 0) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"message":"busy"}]}');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
      }),
    );
    const p = track(createTestPipeline([server.url], { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, bulkhead: { maxConcurrent: 1, maxQueue: 0 } }, { kind: 'subgraph' }));
    const { res } = await read(p, readAnswer);
    expect(res?.read?.value).toEqual({ data: { ok: true } });
    expect(p.retries.map((r) => r.reason)).toEqual(['status 503']);
    // The bulkhead's one slot came back once the read body closed: a second call gets it.
    const second = await read(p, readAnswer);
    expect(second.res?.statusCode).toBe(200);
  });

  describe('maxResponseBytes', () => {
    /** An upstream answering `total` filler bytes; what it managed to send is recorded. */
    async function fillerUpstream(total: number, declareLength: boolean) {
      const sent: StreamedBody[] = [];
      const server = track(
        await startTestServer(async (req, res) => {
          await bodyOf(req);
          sent.push(await streamFiller(res, total, { declareLength }));
        }),
      );
      return { server, sent };
    }

    it('an answer that declares more is refused before its body is read, and the connection is cut', async () => {
      const { server, sent } = await fillerUpstream(50 * MiB, true);
      const p = track(createTestPipeline([server.url], { maxResponseBytes: MiB, retry: { attempts: 1 } }, { kind: 'subgraph' }));
      const { error, lines } = await read(p, readAnswer);
      expect(errorCode(error)).toBe('UPSTREAM_RESPONSE_TOO_LARGE');
      expect(extensionsOf(error)).toMatchObject({ upstream: 'svc', limitBytes: MiB });
      expect(lines.filter((l) => l.level === 40).map((l) => l.code)).toEqual(['UPSTREAM_RESPONSE_TOO_LARGE']);
      await waitFor(() => sent.length === 1, 'the upstream to see the answer cut');
      expect(sent[0]).toMatchObject({ cut: true });
      expect(sent[0]!.written).toBeLessThan(50 * MiB);
    });

    it('a chunked answer is cut at the limit, whether read in the call or streamed on', async () => {
      const { server, sent } = await fillerUpstream(50 * MiB, false);
      const p = track(createTestPipeline([server.url], { maxResponseBytes: 2 * MiB, retry: { attempts: 1 } }));
      const { error } = await read(p, ({ text }) => text.length);
      expect(errorCode(error)).toBe('UPSTREAM_RESPONSE_TOO_LARGE');

      // Streamed (the passthrough's way): the headers come, the body stops at the limit.
      const { ctx, dispose } = createTestContext();
      const res = await p.pipeline.call({ upstream: 'svc', method: 'GET', path: '/', headers: {}, body: null, idempotent: true, ctx });
      let received = 0;
      const streamError = await new Promise<unknown>((resolve) => {
        res.body.on('data', (c: Buffer) => (received += c.length));
        res.body.once('error', resolve);
        res.body.once('end', () => resolve(undefined));
      });
      dispose();
      expect(streamError).toBeInstanceOf(Error);
      expect(received).toBeLessThanOrEqual(2 * MiB);
      await waitFor(() => sent.length === 2, 'the upstream to see both answers cut');
      expect(sent.every((s) => s.cut && s.written < 50 * MiB)).toBe(true);
    });

    it('an oversized answer is not held against the breaker: its size is what the caller asked for', async () => {
      const { server } = await fillerUpstream(4 * MiB, true);
      const p = track(createTestPipeline([server.url], { maxResponseBytes: MiB, retry: { attempts: 1 }, breaker: { consecutiveFailures: 1 } }));
      for (let i = 0; i < 3; i++) expect(errorCode((await read(p, readAnswer)).error)).toBe('UPSTREAM_RESPONSE_TOO_LARGE');
      expect(p.pipeline.breakers.for(p.pipeline.definition.targets[0]!).state).toBe('closed');
    });

    it('a HEAD answer declares the size of a body it does not send: never refused for it', async () => {
      const server = track(
        await startTestServer((req, res) => {
          req.resume();
          res.writeHead(200, { 'content-length': String(50 * MiB) }).end();
        }),
      );
      const p = track(createTestPipeline([server.url], { maxResponseBytes: MiB }));
      expect(await p.outcome({ method: 'HEAD' })).toBe('status 200');
    });
  });
});
