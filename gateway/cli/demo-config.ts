import type { GatewayConfigInput } from '../config/index.ts';

export interface RunningUpstream {
  readonly name: string;
  readonly kind: 'subgraph' | 'rest';
  readonly url: string;
}

/**
 * The embedded demo wiring: every subgraph routed to where it runs, every REST service
 * behind `/api/v1/<name>`. Used by `npm start` and by the end-to-end tests, so both run
 * the same stack.
 */
export function demoConfig(services: readonly RunningUpstream[]): GatewayConfigInput {
  const subgraphs: Record<string, { url: string }> = {};
  const routes: NonNullable<GatewayConfigInput['routes']> = [];
  for (const s of services) {
    if (s.kind === 'subgraph') subgraphs[s.name] = { url: s.url };
    else routes.push({ name: s.name, prefix: `/${s.name}`, targets: [{ url: s.url }], stripPath: true });
  }
  return { subgraphs, routes };
}
