import type { Readable } from 'node:stream';

/**
 * Runs `done` once the upstream is done with the response body: at once if the body was
 * already read to its end (the pipeline reads bodies for callers that ask, and its
 * `'close'` may come a tick after the call returned: a bulkhead slot held until then
 * would refuse the caller's next call), else when it closes.
 */
export function onBodyDone(body: Readable, done: () => void): void {
  if (body.closed || body.readableEnded) done();
  // `on`, not `once`: a stream emits 'close' once, and once() wraps the listener in two
  // more allocations.
  else body.on('close', done);
}
