import { describe, expect, it } from 'vitest';
import { balancerPolicy } from '../../../gateway/upstream/balancer.ts';
import { targetFromUrl } from '../../../gateway/upstream/registry.ts';
import type { UpstreamCall, UpstreamRequest, UpstreamResponse, UpstreamTarget } from '../../../gateway/upstream/types.ts';
import { createTestContext } from '../../helpers/upstream-context.ts';

const a: UpstreamTarget = targetFromUrl('http://127.0.0.1:1');
const b: UpstreamTarget = targetFromUrl('http://127.0.0.1:2');
const c: UpstreamTarget = targetFromUrl('http://127.0.0.1:3', 3);

/** Runs `n` calls through the balancer alone and returns the origins it picked. */
async function picks(policy: ReturnType<typeof balancerPolicy>, n: number): Promise<string[]> {
  const seen: string[] = [];
  // The terminal call only reports where the balancer sent the request.
  const terminal: UpstreamCall = async (req) => {
    seen.push(req.target?.origin ?? 'none');
    return { statusCode: 200, headers: {}, body: undefined as never, target: req.target as UpstreamTarget } satisfies UpstreamResponse;
  };
  const call = policy(terminal);
  const { ctx, dispose } = createTestContext();
  const req: UpstreamRequest = { upstream: 'svc', method: 'GET', path: '/', headers: {}, body: null, idempotent: true, ctx };
  for (let i = 0; i < n; i++) await call(req);
  dispose();
  return seen;
}

const short = (o: string): string => ({ [a.origin]: 'a', [b.origin]: 'b', [c.origin]: 'c' })[o] ?? o;

describe('balancerPolicy', () => {
  it('a single target is always chosen', async () => {
    expect(await picks(balancerPolicy([a], () => false), 3)).toEqual([a.origin, a.origin, a.origin]);
  });

  it('smooth weighted round-robin: weights are honoured and spread out', async () => {
    const seen = (await picks(balancerPolicy([a, c], () => true), 8)).map(short);
    expect(seen.filter((s) => s === 'c')).toHaveLength(6);
    expect(seen.filter((s) => s === 'a')).toHaveLength(2);
    expect(seen.join('')).not.toContain('aa');
  });

  it('equal weights alternate, so the next attempt goes to the other target', async () => {
    expect((await picks(balancerPolicy([a, b], () => true), 6)).map(short).join('')).toBe('ababab');
  });

  it('skips targets that are not available', async () => {
    const seen = await picks(balancerPolicy([a, b], (t) => t !== a), 5);
    expect(seen.map(short).join('')).toBe('bbbbb');
  });

  it('still picks a target when none is available (the breaker answers for it)', async () => {
    expect(await picks(balancerPolicy([a, b], () => false), 4)).toHaveLength(4);
  });

  it('a target that comes back gets its fair share, not a burst of everything it missed', async () => {
    let aUp = false;
    const policy = balancerPolicy([a, b], (t) => t !== a || aUp);
    await picks(policy, 50); // all to b while a is ejected
    aUp = true;
    const after = (await picks(policy, 10)).map(short);
    expect(after.filter((s) => s === 'a').length).toBeLessThanOrEqual(6);
    expect(after.filter((s) => s === 'b').length).toBeGreaterThanOrEqual(4);
  });
});
