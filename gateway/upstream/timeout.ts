import { ClientClosedRequestError, UpstreamTimeoutError } from '../errors/gateway-error.ts';
import { DeadlineExceeded } from '../context/request-context.ts';
import type { RequestContext } from '../context/request-context.ts';
import { abortFanoutOf } from '../context/abort-fanout.ts';
import { onBodyDone } from './body-done.ts';
import type { Policy } from './types.ts';

/** Why a call for this request must stop, as a named error: deadline → timeout, else the client left. */
export function inboundAbortError(upstream: string, ctx: RequestContext): Error {
  return ctx.signal.reason instanceof DeadlineExceeded ? deadlineError(upstream, ctx) : new ClientClosedRequestError();
}

/** The request's deadline cut the call: the figure is the deadline, not the attempt's timeout. */
function deadlineError(upstream: string, ctx: RequestContext): UpstreamTimeoutError {
  return new UpstreamTimeoutError(upstream, Math.max(0, ctx.deadline - ctx.startedAt), 'deadline');
}

/**
 * Bounds one attempt: it must be done within `timeoutMs` and never after the inbound
 * request's deadline, and the error says which of the two cut it; a client that
 * disconnects aborts the call. "Done" is the whole answer for a request with a body
 * reader (the read is below this policy), the headers for a streamed one, whose body then
 * stays tied to the request (and undici's idle `bodyTimeout`) while it streams.
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

    const untilDeadline = ctx.deadline - Date.now();
    // Whichever limit is nearer is the one that cuts the attempt, and the one it names.
    const byDeadline = untilDeadline < timeoutMs ? ctx : null;
    const budget = Math.min(timeoutMs, untilDeadline);
    // The timer gets its arguments rather than a closure: one allocation less per attempt.
    let timer: NodeJS.Timeout | undefined;
    if (budget > 0) timer = setTimeout(abortTimedOut, budget, controller, upstream, timeoutMs, byDeadline);
    else if (!controller.signal.aborted) abortTimedOut(controller, upstream, timeoutMs, byDeadline);
    try {
      const res = await next({ ...req, signal: controller.signal });
      clearTimeout(timer);
      onBodyDone(res.body, unlink);
      return res;
    } catch (error) {
      clearTimeout(timer);
      unlink();
      throw error;
    }
  };
}

/** `byDeadline` is the request when its deadline, not `timeoutMs`, set the timer. */
function abortTimedOut(controller: AbortController, upstream: string, timeoutMs: number, byDeadline: RequestContext | null): void {
  controller.abort(byDeadline ? deadlineError(upstream, byDeadline) : new UpstreamTimeoutError(upstream, timeoutMs, 'attempt'));
}
