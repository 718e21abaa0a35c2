import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { HOP_BY_HOP_HEADERS } from '../upstream/gateway-headers.ts';

const HOP_BY_HOP: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS);

/** Hop-by-hop headers, plus any the sender listed in `Connection` (RFC 9110 §7.6.1). */
function dropHopByHop(headers: IncomingHttpHeaders | Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Request headers for the upstream: client headers minus hop-by-hop, Host and Expect, plus
 * X-Forwarded-*. Expect is between the client and us (node:http has already answered
 * `100-continue`), and undici refuses to send it at all, so forwarding it would fail the
 * call — curl sends it with every upload over 1 MiB.
 */
export function upstreamRequestHeaders(req: IncomingMessage, clientIp: string): Record<string, string | string[]> {
  const headers = dropHopByHop(req.headers);
  delete headers.host;
  delete headers.expect;
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${clientIp}` : clientIp;
  headers['x-forwarded-proto'] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}

/**
 * Headers that name the software (and often its version) behind the gateway: a map for
 * whoever looks for a known vulnerability, of no use to a client. Never passed on.
 */
const IDENTIFYING_HEADERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version'] as const;

/** Response headers for the client: upstream headers minus hop-by-hop and those that identify the upstream's software. */
export function clientResponseHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const out = dropHopByHop(headers);
  for (const name of IDENTIFYING_HEADERS) delete out[name];
  return out;
}
