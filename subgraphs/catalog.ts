import type { RunningSubgraph } from './kit/serve-subgraph.ts';
import type { RunningRestService, RunningService, ServiceKind, StartOptions } from './kit/running-service.ts';
import { INVENTORY_DEFAULT_PORT, startInventorySubgraph } from './inventory/index.ts';
import { NOTIFICATIONS_DEFAULT_PORT, startNotificationsService } from './notifications/index.ts';
import { ORDERS_DEFAULT_PORT, startOrdersSubgraph } from './orders/index.ts';
import { PRODUCTS_DEFAULT_PORT, startProductsSubgraph } from './products/index.ts';
import { RECOMMENDATIONS_DEFAULT_PORT, startRecommendationsService } from './recommendations/index.ts';
import { REVIEWS_DEFAULT_PORT, startReviewsSubgraph } from './reviews/index.ts';
import { startUsersSubgraph, USERS_DEFAULT_PORT } from './users/index.ts';

export type { RunningRestService, RunningService, ServiceKind, StartOptions } from './kit/running-service.ts';
export type { RunningSubgraph } from './kit/serve-subgraph.ts';
export type { LoaderCount } from './kit/loader-stats.ts';

/** What startAllServices hands back: narrow on `kind` to reach a subgraph's loader stats. */
export type StartedService = RunningSubgraph | RunningRestService;

export type ServiceEntry =
  | { readonly name: string; readonly kind: 'subgraph'; readonly defaultPort: number; readonly start: (options?: StartOptions) => Promise<RunningSubgraph> }
  | { readonly name: string; readonly kind: 'rest'; readonly defaultPort: number; readonly start: (options?: StartOptions) => Promise<RunningRestService> };

/**
 * Every demo upstream. Subgraph names match supergraph.yaml and their default ports match
 * its routing URLs (users 4001 … inventory 4005); REST services sit at 4010+.
 */
export const SERVICES: readonly ServiceEntry[] = [
  { name: 'users', kind: 'subgraph', defaultPort: USERS_DEFAULT_PORT, start: startUsersSubgraph },
  { name: 'products', kind: 'subgraph', defaultPort: PRODUCTS_DEFAULT_PORT, start: startProductsSubgraph },
  { name: 'orders', kind: 'subgraph', defaultPort: ORDERS_DEFAULT_PORT, start: startOrdersSubgraph },
  { name: 'reviews', kind: 'subgraph', defaultPort: REVIEWS_DEFAULT_PORT, start: startReviewsSubgraph },
  { name: 'inventory', kind: 'subgraph', defaultPort: INVENTORY_DEFAULT_PORT, start: startInventorySubgraph },
  { name: 'notifications', kind: 'rest', defaultPort: NOTIFICATIONS_DEFAULT_PORT, start: startNotificationsService },
  { name: 'recommendations', kind: 'rest', defaultPort: RECOMMENDATIONS_DEFAULT_PORT, start: startRecommendationsService },
];

export interface StartAllOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** `default`: each service's own port (what supergraph.yaml routes to); `free`: port 0 each (tests). Default `default`. */
  ports?: 'default' | 'free';
  /** Gateway signatures every service accepts. Default: `IDENTITY_SIGNING_KEYS`, else the dev key. */
  signature?: StartOptions['signature'];
}

/**
 * Starts every service in SERVICES order. If one fails to start, the ones already running
 * are closed before the error is rethrown, so a test never leaks a listener.
 */
export async function startAllServices(options: StartAllOptions = {}): Promise<StartedService[]> {
  const results = await Promise.allSettled(
    SERVICES.map(
      (s): Promise<StartedService> =>
        s.start({ host: options.host ?? '127.0.0.1', port: options.ports === 'free' ? 0 : s.defaultPort, ...(options.signature ? { signature: options.signature } : {}) }),
    ),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAllServices(started);
    throw failed.reason;
  }
  return started;
}

/** Closes them all in parallel; resolves once every one is closed. */
export async function closeAllServices(services: readonly RunningService[]): Promise<void> {
  await Promise.allSettled(services.map((s) => s.close()));
}

/** The running service by name (throws for a name that is not running, to fail a test loudly). */
export function serviceNamed<K extends ServiceKind>(services: readonly StartedService[], name: string, kind?: K): Extract<StartedService, { kind: K }> {
  const found = services.find((s) => s.name === name && (kind === undefined || s.kind === kind));
  if (!found) throw new Error(`no running service "${name}"${kind ? ` of kind ${kind}` : ''}`);
  return found as Extract<StartedService, { kind: K }>;
}
