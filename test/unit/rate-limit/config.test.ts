import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/config/index.ts';
import { rateLimitConfigSchema } from '../../../gateway/rate-limit/config.ts';

describe('rateLimit config', () => {
  it('has the documented defaults', () => {
    expect(rateLimitConfigSchema.parse({})).toEqual({
      enabled: true,
      algorithm: 'gcra',
      windowMs: 60_000,
      tiers: {
        anonymous: { limit: 1_200 },
        free: { limit: 300 },
        standard: { limit: 1_200 },
        premium: { limit: 6_000 },
        enterprise: { limit: 30_000 },
      },
      fallbackTier: 'free',
      doors: {},
      routes: {},
      expensive: { limit: 300, costThreshold: 1_000, tiers: {} },
      redis: { timeoutMs: 100, failMode: 'open', keyPrefix: 'bffgw:rl:', maxReconnectDelayMs: 2_000, connectTimeoutMs: 2_000 },
      memory: { maxKeys: 100_000 },
      trustedProxies: [],
      legacyHeaders: false,
      ipv6PrefixLength: 64,
    });
  });

  it('keeps a tier default when only its window is set, and accepts overrides', () => {
    const c = rateLimitConfigSchema.parse({
      tiers: { free: { windowMs: 1_000 } },
      doors: { rest: { limit: 10, tiers: { premium: { limit: 100 } } } },
      routes: { notifications: { limit: 5, windowMs: 10_000 } },
      trustedProxies: ['10.0.0.0/8', 'loopback', '2001:db8::/32', '192.0.2.1'],
    });
    expect(c.tiers.free).toEqual({ limit: 300, windowMs: 1_000 });
    expect(c.doors.rest).toEqual({ limit: 10, tiers: { premium: { limit: 100 } } });
  });

  it('rejects unknown keys, unknown tiers and bad values', () => {
    expect(rateLimitConfigSchema.safeParse({ limt: 5 }).success).toBe(false);
    expect(rateLimitConfigSchema.safeParse({ tiers: { gold: { limit: 1 } } }).success).toBe(false);
    expect(rateLimitConfigSchema.safeParse({ doors: { ops: { limit: 1 } } }).success).toBe(false);
    expect(rateLimitConfigSchema.safeParse({ routes: { a: { limit: 0 } } }).success).toBe(false);
    expect(rateLimitConfigSchema.safeParse({ algorithm: 'fixed-window' }).success).toBe(false);
    expect(rateLimitConfigSchema.safeParse({ redis: { failMode: 'maybe' } }).success).toBe(false);
    expect(rateLimitConfigSchema.safeParse({ trustedProxies: ['proxy.internal'] }).success).toBe(false);
  });

  it('is part of the gateway config, and a bad value stops start-up naming the key', () => {
    const config = loadConfig({ env: {} });
    expect(config.rateLimit.redis.failMode).toBe('open');
    expect(config.operationLimits.maxDepth).toBe(12);
    expect(() => loadConfig({ env: {}, overrides: { rateLimit: { redis: { failMode: 'sometimes' as 'open' } } } })).toThrow(
      /rateLimit\.redis\.failMode/,
    );
    expect(() => loadConfig({ env: {}, overrides: { operationLimits: { maxDepth: 0 } } })).toThrow(/operationLimits\.maxDepth/);
  });
});
