import type { ServerResponse } from 'node:http';

/** What a test upstream sent of a large body before it finished or the client cut it. */
export interface StreamedBody {
  /** Bytes handed to the socket (the kernel may not have delivered all of them). */
  readonly written: number;
  /** True when the client cut the connection before the body was complete. */
  readonly cut: boolean;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * Answers 200 with `total` bytes of filler, written in 64 KiB chunks with backpressure so
 * the test process never holds more than a chunk of it: a 50 MB answer costs the server
 * nothing, and what the gateway holds is the gateway's. With `declareLength` the answer
 * has a Content-Length, otherwise it is chunked. Settles when the body is done or cut.
 */
export function streamFiller(res: ServerResponse, total: number, options: { declareLength?: boolean; contentType?: string } = {}): Promise<StreamedBody> {
  res.writeHead(200, {
    'content-type': options.contentType ?? 'application/json',
    ...(options.declareLength ? { 'content-length': String(total) } : {}),
  });
  return new Promise((resolve) => {
    let written = 0;
    let settled = false;
    const settle = (cut: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ written, cut });
    };
    res.once('close', () => settle(!res.writableFinished));
    const pump = (): void => {
      while (written < total && !res.destroyed) {
        const chunk = total - written >= CHUNK.length ? CHUNK : CHUNK.subarray(0, total - written);
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
}

/** Answers 200 with the start of a JSON body and then nothing: a body that stalls mid-stream. */
export function stallBody(res: ServerResponse, prefix = '{"data":{"review":{"id":'): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(prefix);
}

/** Samples `process.memoryUsage().rss` every `everyMs` until stopped; returns the peak seen. */
export function sampleRss(everyMs = 10): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
