import { describe, expect, it } from 'vitest';
import { compileTrustedProxies, ipIdentity, normalizeIp, resolveClientIp } from '../../../gateway/rate-limit/client-ip.ts';

describe('resolveClientIp', () => {
  const none = compileTrustedProxies([]);
  const lb = compileTrustedProxies(['10.0.0.0/8', '192.168.1.7']);

  it('with no trusted proxies, is the socket address whatever X-Forwarded-For says', () => {
    expect(resolveClientIp({ socketAddress: '203.0.113.9', forwardedFor: '1.2.3.4' }, none)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer that is not trusted', () => {
    expect(resolveClientIp({ socketAddress: '203.0.113.9', forwardedFor: '1.2.3.4' }, lb)).toBe('203.0.113.9');
  });

  it('walks right to left past trusted hops to the first untrusted one', () => {
    // client spoofs "6.6.6.6"; the edge proxy appended the real 198.51.100.4; the inner proxy appended the edge
    const xff = '6.6.6.6, 198.51.100.4, 10.1.2.3';
    expect(resolveClientIp({ socketAddress: '10.9.9.9', forwardedFor: xff }, lb)).toBe('198.51.100.4');
  });

  it('takes the leftmost hop when every hop is trusted', () => {
    expect(resolveClientIp({ socketAddress: '10.9.9.9', forwardedFor: '10.0.0.5,192.168.1.7' }, lb)).toBe('10.0.0.5');
  });

  it('joins repeated headers and stops at garbage, keeping the last address it could vouch for', () => {
    expect(resolveClientIp({ socketAddress: '10.9.9.9', forwardedFor: ['7.7.7.7', '10.0.0.1'] }, lb)).toBe('7.7.7.7');
    expect(resolveClientIp({ socketAddress: '10.9.9.9', forwardedFor: 'not-an-ip, 10.0.0.1' }, lb)).toBe('10.0.0.1');
  });

  it('is the peer itself when a trusted peer sends no header', () => {
    expect(resolveClientIp({ socketAddress: '10.9.9.9', forwardedFor: undefined }, lb)).toBe('10.9.9.9');
  });

  it('understands IPv4-mapped sockets, IPv6 and named ranges', () => {
    const named = compileTrustedProxies(['loopback', 'uniquelocal']);
    expect(resolveClientIp({ socketAddress: '::ffff:127.0.0.1', forwardedFor: '2001:db8::1, 172.16.0.1' }, named)).toBe('2001:db8::1');
    expect(resolveClientIp({ socketAddress: '::1', forwardedFor: '[2001:DB8::2]:443' }, named)).toBe('2001:db8::2');
    const v6 = compileTrustedProxies(['2001:db8:ffff::/48']);
    expect(resolveClientIp({ socketAddress: '2001:db8:ffff::10', forwardedFor: '198.51.100.1:5555' }, v6)).toBe('198.51.100.1');
  });

  it('rejects a bad trusted proxy entry at start-up', () => {
    expect(() => compileTrustedProxies(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    expect(() => compileTrustedProxies(['proxy.internal'])).toThrow(/proxy\.internal/);
  });
});

describe('normalizeIp / ipIdentity', () => {
  it('normalizes', () => {
    expect(normalizeIp(' ::FFFF:192.0.2.1 ')).toBe('192.0.2.1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('nope')).toBeUndefined();
  });

  it('keys IPv4 by address and IPv6 by its /64 network', () => {
    expect(ipIdentity('192.0.2.1', 64)).toBe('192.0.2.1');
    expect(ipIdentity('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64)).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(ipIdentity('2001:db8:1:2::9', 64)).toBe(ipIdentity('2001:db8:1:2:ffff::1', 64));
    expect(ipIdentity('2001:db8:1:2::9', 56)).toBe('2001:db8:1:0:0:0:0:0/56');
    expect(ipIdentity('2001:db8::9', 128)).toBe('2001:db8::9');
  });
});
