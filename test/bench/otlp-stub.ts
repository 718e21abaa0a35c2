import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpStub {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly url: string;
  readonly spans: number;
  readonly batches: number;
  close(): Promise<void>;
}

/**
 * A stand-in OpenTelemetry collector on loopback: accepts OTLP/HTTP JSON trace exports
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), counts the spans, answers 200. Exporting to it
 * costs the gateway what exporting to a real collector does, minus the network.
 */
export async function startOtlpStub(): Promise<OtlpStub> {
  let spans = 0;
  let batches = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      batches++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      } catch {
        // protobuf or garbage: counted as a batch only
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get spans() {
      return spans;
    },
    get batches() {
      return batches;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
