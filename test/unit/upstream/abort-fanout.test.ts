import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortFanout, abortFanoutOf } from '../../../gateway/context/abort-fanout.ts';
import { ClientGone } from '../../../gateway/context/request-context.ts';

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

describe('AbortFanout: one abort listener per request, fanned out to its upstream calls', () => {
  it('adds no listener until the first subscriber, then exactly one for any number of them, kept for the request', () => {
    const controller = new AbortController();
    const fanout = new AbortFanout(controller.signal);
    expect(listeners(controller.signal)).toBe(0);
    const subscribers = Array.from({ length: 50 }, () => () => undefined);
    for (const s of subscribers) expect(fanout.add(s)).toBe(true);
    expect(listeners(controller.signal)).toBe(1);
    expect(fanout.size).toBe(50);
    for (const s of subscribers) fanout.delete(s);
    expect(fanout.size).toBe(0);
    // Kept until the request ends: the next subscriber reuses it.
    expect(listeners(controller.signal)).toBe(1);
    fanout.add(() => undefined);
    expect(listeners(controller.signal)).toBe(1);
  });

  it('the abort calls every subscriber once, in subscription order, with the reason on the signal; then nothing is held', () => {
    const controller = new AbortController();
    const fanout = new AbortFanout(controller.signal);
    const calls: Array<[number, unknown]> = [];
    for (let i = 0; i < 5; i++) fanout.add(() => calls.push([i, controller.signal.reason]));
    const reason = new ClientGone();
    controller.abort(reason);
    controller.abort(new Error('a second abort is ignored'));
    expect(calls).toEqual([0, 1, 2, 3, 4].map((i) => [i, reason]));
    expect(fanout.size).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('a deleted subscriber is not called, also when an earlier one deletes it during the abort', () => {
    const controller = new AbortController();
    const fanout = new AbortFanout(controller.signal);
    const called: string[] = [];
    const gone = (): void => {
      called.push('gone');
    };
    const later = (): void => {
      called.push('later');
    };
    fanout.add(() => {
      called.push('first');
      fanout.delete(later);
    });
    fanout.add(gone);
    fanout.add(later);
    fanout.delete(gone);
    fanout.delete(gone);
    controller.abort();
    expect(called).toEqual(['first']);
  });

  it('on a request already aborted, add registers nothing and says so (the caller acts at once)', () => {
    const controller = new AbortController();
    controller.abort(new ClientGone());
    const fanout = new AbortFanout(controller.signal);
    let called = 0;
    expect(fanout.add(() => called++)).toBe(false);
    expect(called).toBe(0);
    expect(fanout.size).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });
});

describe('abortFanoutOf: the fan-out of a context', () => {
  it("is the context's own when it has one for its signal", () => {
    const controller = new AbortController();
    const abortFanout = new AbortFanout(controller.signal);
    expect(abortFanoutOf({ signal: controller.signal, abortFanout })).toBe(abortFanout);
  });

  it('for a context without one, one per signal, the same on every call', () => {
    const a = new AbortController();
    const b = new AbortController();
    const first = abortFanoutOf({ signal: a.signal });
    expect(first.signal).toBe(a.signal);
    expect(abortFanoutOf({ signal: a.signal })).toBe(first);
    expect(abortFanoutOf({ signal: b.signal })).not.toBe(first);
  });

  it("a copy of a context with another signal does not use the original's fan-out", () => {
    const original = new AbortController();
    const other = new AbortController();
    const abortFanout = new AbortFanout(original.signal);
    const fanout = abortFanoutOf({ signal: other.signal, abortFanout });
    expect(fanout).not.toBe(abortFanout);
    expect(fanout.signal).toBe(other.signal);
  });
});
