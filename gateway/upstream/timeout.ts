import { ClientClosedRequestError, UpstreamTimeoutError } from '../errors/gateway-error.ts';
import { DeadlineExceeded } from '../context/request-context.ts';
import type { RequestContext } from '../context/request-context.ts';
import type { Policy } from './types.ts';

/** Why a call for this request must stop, as a named error: deadline → timeout, else the client left. */
export function inboundAbortError(upstream: string, ctx: RequestContext): Error {
  return ctx.signal.reason instanceof DeadlineExceeded
    ? new UpstreamTimeoutError(upstream, Math.max(0, ctx.deadline - ctx.startedAt))
    : new ClientClosedRequestError();
}

/**
 * Bounds one attempt: response headers must arrive within `timeoutMs` and never after the
 * inbound request's deadline; a client that disconnects aborts the call. The body stays
 * tied to the request's signal (and undici's idle `bodyTimeout`) while it streams.
 *
 * The attempt's signal always aborts with a named error, so the transport can report
 * exactly why a call stopped.
 */
export function timeoutPolicy(upstream: string, timeoutMs: number): Policy {
  return (next) => async (req) => {
    const { ctx } = req;
    const budget = Math.min(timeoutMs, ctx.deadline - Date.now());
    const controller = new AbortController();
    const onInboundAbort = (): void => controller.abort(inboundAbortError(upstream, ctx));
    if (ctx.signal.aborted) onInboundAbort();
    else ctx.signal.addEventListener('abort', onInboundAbort, { once: true });
    const unlink = (): void => ctx.signal.removeEventListener('abort', onInboundAbort);

    if (budget <= 0 && !controller.signal.aborted) controller.abort(new UpstreamTimeoutError(upstream, timeoutMs));
    const timer = setTimeout(() => controller.abort(new UpstreamTimeoutError(upstream, timeoutMs)), Math.max(0, budget));
    try {
      const res = await next({ ...req, signal: controller.signal });
      clearTimeout(timer);
      res.body.once('close', unlink);
      return res;
    } catch (error) {
      clearTimeout(timer);
      unlink();
      throw error;
    }
  };
}
