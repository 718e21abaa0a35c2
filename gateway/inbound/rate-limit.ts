import type { InboundPolicy } from '../http/edge.ts';
import { rateLimitedError, type RateLimiter } from '../rate-limit/index.ts';

/**
 * The request-level limit, after authentication (so a verified caller is keyed by its
 * subject, not its IP). `RateLimit-*` headers go on every response, allowed or not.
 */
export function rateLimitPolicy(limiter: RateLimiter): InboundPolicy | null {
  if (!limiter.enabled) return null;
  return async (_req, res, ctx) => {
    if (ctx.door === 'ops') return;
    const result = await limiter.check({ principal: ctx.principal, clientIp: ctx.clientIp, door: ctx.door, route: ctx.route });
    for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
    if (!result.allowed) {
      ctx.log.info({ scope: result.scope, tier: result.tier, identity: result.identity, reason: result.reason }, 'rate limited');
      throw rateLimitedError(result);
    }
  };
}
