import { isTracingActive } from '../../telemetry/tracing.ts';
import { inSpan } from '../../telemetry/spans.ts';

/**
 * The engine's spans keep @apollo/gateway's names (`gateway.request` → `gateway.plan`,
 * `gateway.execute` → `gateway.fetch`), so traces and dashboards read the same whichever executor runs.
 * With tracing off they cost a branch.
 */
export function inSpanIfTracing<T>(name: 'gateway.request' | 'gateway.plan' | 'gateway.execute', operationName: string | undefined, fn: () => T): T {
  if (!isTracingActive()) return fn();
  return inSpan(name, fn, operationName ? { 'graphql.operation.name': operationName } : undefined);
}

/** One `gateway.fetch` span per subgraph request (a coalesced batch is one request). */
export function inFetchSpan<T>(serviceName: string, fn: () => T): T {
  if (!isTracingActive()) return fn();
  return inSpan('gateway.fetch', fn, { service: serviceName });
}
