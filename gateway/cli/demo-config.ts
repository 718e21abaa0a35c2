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
  return { subgraphs, routes, cors: DEMO_CORS };
}

/**
 * A web app on this machine (any port, http or https) may call every door, so a local
 * front end works against `npm start`; a deployment names its own origins (`cors`).
 */
export const DEMO_CORS: NonNullable<GatewayConfigInput['cors']> = {
  policies: [{ matchOrigins: ['https?://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?'] }],
};
