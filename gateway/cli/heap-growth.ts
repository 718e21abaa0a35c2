import { setFlagsFromString } from 'node:v8';

/**
 * Applies `server.heapGrowthPercent` to this process. A process-wide V8 setting, so only
 * the entry points call it (a gateway created inside another program, as in tests, leaves
 * that program's heap alone). V8 reads the flag each time it sizes the heap after a full
 * GC, so setting it at start-up takes effect from the first collection on.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
