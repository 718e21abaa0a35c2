import { BlockList, isIP } from 'node:net';

/**
 * Who the client is, network-wise. `X-Forwarded-For` is written by whoever sent the
 * request, so it is believed only hop by hop: starting from the socket peer we walk the
 * header right to left and stop at the first address that is not a trusted proxy. With
 * no trusted proxies (the default) the socket address is the client, whatever the header says.
 */

/** Named ranges accepted in `trustedProxies` besides IPs and CIDRs (as in Express's proxy-addr). */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export interface TrustedProxies {
  /** True when no proxy is trusted: `X-Forwarded-For` is then never read. */
  readonly empty: boolean;
  has(ip: string): boolean;
}

/** Whether a `trustedProxies` entry is understood (used by the config schema). */
export function isTrustedProxySpec(spec: string): boolean {
  return spec in NAMED_RANGES || parseCidr(spec) !== undefined;
}

/** Compiles the `trustedProxies` list once, at start-up, into a matcher. */
export function compileTrustedProxies(specs: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const spec of specs.flatMap((s) => NAMED_RANGES[s] ?? [s])) {
    const cidr = parseCidr(spec);
    if (!cidr) throw new Error(`trustedProxies: "${spec}" is not an IP, a CIDR or one of ${Object.keys(NAMED_RANGES).join(', ')}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return {
    empty: specs.length === 0,
    has: (ip) => {
      const family = isIP(ip);
      return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

export interface ClientAddressInput {
  /** `req.socket.remoteAddress`. */
  socketAddress: string | undefined;
  /** The raw `X-Forwarded-For` header(s). */
  forwardedFor: string | readonly string[] | undefined;
}

/**
 * The client's IP: the socket peer, or, when the peer is a trusted proxy, the rightmost
 * `X-Forwarded-For` hop that is not itself trusted (the leftmost if all are). A hop that is
 * not an IP ends the walk at the last address we could vouch for.
 */
export function resolveClientIp(input: ClientAddressInput, trusted: TrustedProxies): string {
  const peer = normalizeIp(input.socketAddress ?? '');
  if (peer === undefined) return input.socketAddress || 'unknown';
  if (trusted.empty || input.forwardedFor === undefined || !trusted.has(peer)) return peer;
  const header = typeof input.forwardedFor === 'string' ? input.forwardedFor : input.forwardedFor.join(',');
  const hops = header.split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i] ?? '');
    if (hop === undefined) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}

/**
 * Canonical text of an address: trimmed, port and brackets and zone removed, IPv6 lower
 * case, IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what dual-stack sockets report) as IPv4.
 * `undefined` when it is not an IP at all.
 */
export function normalizeIp(raw: string): string | undefined {
  let s = raw.trim();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return undefined;
    s = s.slice(1, end);
  } else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) {
    s = s.slice(0, s.indexOf(':'));
  }
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return s;
  if (family !== 6) return undefined;
  s = s.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s)?.[1];
  return mapped !== undefined && isIP(mapped) === 4 ? mapped : s;
}

/**
 * The rate-limit identity of an address. IPv4 as is; IPv6 by its `/prefixLength` network,
 * because one host usually owns a whole /64 and could otherwise rotate through it.
 */
export function ipIdentity(ip: string, ipv6PrefixLength: number): string {
  if (isIP(ip) !== 6 || ipv6PrefixLength >= 128) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  const masked = groups.map((g, i) => {
    const bits = Math.min(16, Math.max(0, ipv6PrefixLength - i * 16));
    return bits === 0 ? 0 : g & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${ipv6PrefixLength}`;
}

/** The eight 16-bit groups of a valid IPv6 address (embedded IPv4 tail allowed). */
function ipv6Groups(ip: string): number[] | undefined {
  let s = ip;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    if (octets.length !== 4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = s.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  if (fill < 0) return undefined;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function parseCidr(spec: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = spec.indexOf('/');
  const address = (slash < 0 ? spec : spec.slice(0, slash)).trim().toLowerCase();
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : spec.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}
