import type { ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../telemetry/metrics.ts';
import { sendJson } from '../http/respond.ts';

/** `GET /metrics`: the gateway's registry in Prometheus text format. Never rate limited or authenticated, like the health routes. */
export async function sendMetrics(res: ServerResponse, metrics: GatewayMetrics, method: string | undefined): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') {
    sendJson(res, 405, { status: 'method not allowed' }, { allow: 'GET, HEAD' });
    return;
  }
  try {
    const { contentType, body } = await metrics.exposition();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : body);
  } catch {
    sendJson(res, 500, { status: 'metrics unavailable' });
  }
}
