import { Readable } from 'node:stream';
import { UpstreamBadResponseError, isGatewayError } from '../errors/gateway-error.ts';
import { abortFanoutOf } from '../context/abort-fanout.ts';
import type { RequestContext } from '../context/request-context.ts';
import type { RetryConfig } from '../config/index.ts';
import { RetryBudget } from './retry-budget.ts';
import type { Policy, UpstreamEvents, UpstreamRequest } from './types.ts';

/** Errors that mean "the request may not have been processed": safe to try again. */
const CONNECTION_ERRORS = ['UPSTREAM_UNAVAILABLE'];

/**
 * Retries idempotent calls on connection errors, the configured statuses (and timeouts, if configured),
 * with exponential backoff and full jitter, within `attempts` and the upstream's retry
 * budget, and never past the inbound deadline. Streamed bodies cannot be replayed, so
 * such calls are never retried.
 */
export function retryPolicy(upstream: string, config: RetryConfig, events: UpstreamEvents): Policy | null {
  if (config.attempts <= 1) return null;
  const budget = new RetryBudget(config.budgetRatio, config.budgetMinRetries, config.budgetWindowMs);
  const retryableCodes = new Set(config.retryOnTimeout ? [...CONNECTION_ERRORS, 'UPSTREAM_TIMEOUT'] : CONNECTION_ERRORS);
  const retryOn = new Set(config.retryOnStatus);

  return (next) => async (req) => {
    budget.recordCall();
    const replayable = req.idempotent && !(req.body instanceof Readable);
    for (let attempt = 1; ; attempt++) {
      const last = !replayable || attempt >= config.attempts;
      let reason: string;
      try {
        const res = await next({ ...req, attempt });
        if (last || !retryOn.has(res.statusCode)) return res;
        reason = `status ${res.statusCode}`;
        if (!canRetry(req, budget, config, attempt)) return res;
        await res.body.dump().catch(() => undefined);
      } catch (error) {
        // A retryable status whose body the caller's reader refused (a 503 "down" to a
        // GraphQL fetch) is still that status.
        const status = error instanceof UpstreamBadResponseError ? error.answerStatus : undefined;
        const code = isGatewayError(error) ? error.code : undefined;
        if (status !== undefined && retryOn.has(status)) reason = `status ${status}`;
        else if (code !== undefined && retryableCodes.has(code)) reason = code;
        else throw error;
        if (last || !canRetry(req, budget, config, attempt)) throw error;
      }
      events.onRetry?.({ upstream, attempt: attempt + 1, reason });
      await backoffSleep(backoff(config, attempt), req.ctx);
    }
  };
}

/**
 * Waits `ms`, or less if the request aborts meanwhile (the next attempt then fails at once
 * with the request's reason). Not timers/promises' sleep with `ctx.signal`: that adds a
 * listener on the request's signal per sleeping call; this uses the request's one.
 */
function backoffSleep(ms: number, ctx: RequestContext): Promise<void> {
  return new Promise((resolve) => {
    const fanout = abortFanoutOf(ctx);
    const wake = (): void => {
      clearTimeout(timer);
      fanout.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    if (!fanout.add(wake)) wake();
  });
}

function canRetry(req: UpstreamRequest<unknown>, budget: RetryBudget, config: RetryConfig, attempt: number): boolean {
  if (req.ctx.signal.aborted) return false;
  // A retry that could not even start before the deadline only adds load.
  if (Date.now() + backoffCap(config, attempt) >= req.ctx.deadline) return false;
  return budget.tryRetry();
}

function backoffCap(config: RetryConfig, attempt: number): number {
  return Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempt - 1));
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^n)]. */
function backoff(config: RetryConfig, attempt: number): number {
  return Math.random() * backoffCap(config, attempt);
}
