import { ClientClosedRequestError, UpstreamTimeoutError } from '../errors/gateway-error.ts';
import { DeadlineExceeded } from '../context/request-context.ts';
import type { RequestContext } from '../context/request-context.ts';
import { abortFanoutOf } from '../context/abort-fanout.ts';
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
 * tied to the request (and undici's idle `bodyTimeout`) while it streams.
 *
 * The attempt's signal always aborts with a named error, so the transport can report
 * exactly why a call stopped. The attempt hears of the request's abort through the
 * request's one fan-out listener (abort-fanout.ts), not a listener of its own on
 * `ctx.signal`: a request's 16+ fetches would each add one.
 */
export function timeoutPolicy(upstream: string, timeoutMs: number): Policy {
  return (next) => async (req) => {
    const { ctx } = req;
    const controller = new AbortController();
    const fanout = abortFanoutOf(ctx);
    const onRequestAbort = (): void => controller.abort(inboundAbortError(upstream, ctx));
    const unlink = (): void => fanout.delete(onRequestAbort);
    if (!fanout.add(onRequestAbort)) onRequestAbort();

    const budget = Math.min(timeoutMs, ctx.deadline - Date.now());
    // The timer gets its arguments rather than a closure: one allocation less per attempt.
    let timer: NodeJS.Timeout | undefined;
    if (budget > 0) timer = setTimeout(abortTimedOut, budget, controller, upstream, timeoutMs);
    else if (!controller.signal.aborted) abortTimedOut(controller, upstream, timeoutMs);
    try {
      const res = await next({ ...req, signal: controller.signal });
      clearTimeout(timer);
      // `on`, not `once`: a stream emits 'close' once, and once() wraps the listener in two
      // more allocations. A body already closed has nothing left to guard.
      if (res.body.closed) unlink();
      else res.body.on('close', unlink);
      return res;
    } catch (error) {
      clearTimeout(timer);
      unlink();
      throw error;
    }
  };
}

function abortTimedOut(controller: AbortController, upstream: string, timeoutMs: number): void {
  controller.abort(new UpstreamTimeoutError(upstream, timeoutMs));
}
