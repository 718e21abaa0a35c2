import { bodyOf, startTestServer, type TestServer } from './http-server.ts';

/**
 * A loopback server in front of `target` (a subgraph's or REST service's URL) that records
 * every request it forwards (method, url, headers: `requests`), so a test can see exactly
 * what the gateway sent upstream. Paths are kept; hop-by-hop headers are not forwarded.
 */
export async function startForwardingServer(target: string): Promise<TestServer & { urlWithPath: string }> {
  const base = new URL(target);
  const server = await startTestServer(async (req, res) => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await bodyOf(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const upstream = await fetch(new URL(req.url ?? '/', base.origin), { method: req.method, headers, body });
    const payload = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream', 'content-length': payload.length });
    res.end(payload);
  });
  return Object.assign(server, { urlWithPath: `${server.url}${base.pathname === '/' ? '' : base.pathname}` });
}
