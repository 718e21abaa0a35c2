import { adminBff } from './admin/index.ts';
import { createBffDoorsFor, type BffDoors, type BffDoorsOptions } from './kit/bff-doors.ts';
import type { Bff } from './kit/define-bff.ts';
import { mobileBff } from './mobile/index.ts';
import { webBff } from './web/index.ts';

export { bffPath, type BffDoors, type BffDoorsOptions } from './kit/bff-doors.ts';
export { createInProcessSupergraphClient } from './kit/in-process-supergraph-client.ts';
export { createHttpSupergraphClient, SUPERGRAPH_UPSTREAM } from './kit/http-supergraph-client.ts';

/** Every BFF the gateway serves, one per client. */
export const BFFS: readonly Bff[] = [mobileBff, webBff, adminBff];

/** The doors of every BFF: `/bff/mobile/graphql`, `/bff/web/graphql`, `/bff/admin/graphql`. */
export function createBffDoors(options: BffDoorsOptions): BffDoors {
  return createBffDoorsFor(BFFS, options);
}
