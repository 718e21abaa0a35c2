import type { InboundPolicy } from '../http/edge.ts';
import { rateLimitedError, type RateLimiter, type RateLimitRequest } from '../rate-limit/index.ts';
import { traceRateLimitCheck } from '../telemetry/rate-limit-span.ts';
import { isTracingActive } from '../telemetry/tracing.ts';

/**
 * The request-level limit, after authentication (so a verified caller is keyed by its
 * subject, not its IP). `RateLimit-Policy` and `RateLimit` go on every response, allowed
 * or not, and `Retry-After` (equal to `RateLimit`'s `t`) on a 429 (rate-limit/headers.ts).
 * With tracing on, the check is a `rate_limit.check` span of its own (store kind, tier,
 * scope, allowed, reason), so a slow Redis shows in the request's trace.
 */
export function rateLimitPolicy(limiter: RateLimiter): InboundPolicy | null {
  if (!limiter.enabled) return null;
  return async (_req, res, ctx) => {
    if (ctx.door === 'ops') return;
    const request: RateLimitRequest = { principal: ctx.principal, clientIp: ctx.clientIp, door: ctx.door, route: ctx.route };
    const result = isTracingActive() ? await traceRateLimitCheck(limiter.storeKind, () => limiter.check(request)) : await limiter.check(request);
    for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
    if (!result.allowed) {
      ctx.log.info({ scope: result.scope, tier: result.tier, identity: result.identity, reason: result.reason }, 'rate limited');
      throw rateLimitedError(result);
    }
  };
}
