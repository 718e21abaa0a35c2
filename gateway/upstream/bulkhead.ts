import { UpstreamOverloadedError } from '../errors/gateway-error.ts';
import type { BulkheadConfig } from '../config/index.ts';
import { abortFanoutOf } from '../context/abort-fanout.ts';
import { onBodyDone } from './body-done.ts';
import { inboundAbortError } from './timeout.ts';
import type { Policy, UpstreamRequest } from './types.ts';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * At most `maxConcurrent` calls in flight to one upstream and `maxQueue` waiting; the next
 * is rejected at once. A slot is held until the response body is finished, since that is
 * when the upstream is done with us.
 */
export function bulkheadPolicy(upstream: string, config: BulkheadConfig): Policy {
  let active = 0;
  const queue: Waiter[] = [];

  const release = (): void => {
    const waiter = queue.shift();
    if (waiter) waiter.resolve();
    else active--;
  };

  const acquire = (req: UpstreamRequest<unknown>): Promise<void> => {
    if (req.ctx.signal.aborted) return Promise.reject(inboundAbortError(upstream, req.ctx));
    if (active < config.maxConcurrent) {
      active++;
      return Promise.resolve();
    }
    if (queue.length >= config.maxQueue) return Promise.reject(new UpstreamOverloadedError(upstream));
    // A waiter hears of the request's abort through the request's one listener (a request's
    // many fetches may all queue here).
    const fanout = abortFanoutOf(req.ctx);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          fanout.delete(onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(inboundAbortError(upstream, req.ctx));
      };
      fanout.add(onAbort);
      queue.push(waiter);
    });
  };

  return (next) => async (req) => {
    await acquire(req);
    let res;
    try {
      res = await next(req);
    } catch (error) {
      release();
      throw error;
    }
    onBodyDone(res.body, release);
    return res;
  };
}
