import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SupergraphSnapshot } from '../../../gateway/graphql/engine/snapshot.ts';

const SDL = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');

describe('the plan cache of a supergraph snapshot', () => {
  it('is bounded in entries, least recently used first out', () => {
    const snapshot = new SupergraphSnapshot(SDL, { maxEntries: 2, maxBytes: 1_000_000 });
    const plan = (size: number) => ({ size }) as Parameters<typeof snapshot.plans.set>[1];
    snapshot.plans.set('a', plan(10));
    snapshot.plans.set('b', plan(10));
    snapshot.plans.get('a');
    snapshot.plans.set('c', plan(10));
    expect([...snapshot.plans.keys()].sort()).toEqual(['a', 'c']);
  });

  it('is bounded in bytes', () => {
    const snapshot = new SupergraphSnapshot(SDL, { maxEntries: 100, maxBytes: 1000 });
    const plan = (size: number) => ({ size }) as Parameters<typeof snapshot.plans.set>[1];
    for (const key of ['a', 'b', 'c', 'd']) snapshot.plans.set(key, plan(400));
    expect(snapshot.plans.size).toBe(2);
    expect(snapshot.plans.calculatedSize).toBeLessThanOrEqual(1000);
  });
});
