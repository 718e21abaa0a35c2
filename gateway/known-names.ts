import { BFFS, SUPERGRAPH_UPSTREAM } from '../bffs/index.ts';
import type { LoadedConfig } from './config/index.ts';
import type { KnownNames } from './config/references.ts';
import { subgraphNamesIn } from './config/supergraph-names.ts';

/**
 * The names this gateway's config may refer to (checked by `checkReferences` at start-up):
 * the supergraph's subgraphs, the route names the `/graphql` door (app.ts) and each BFF
 * door pass, and the upstream the BFFs' HTTP supergraph client uses.
 */
export function knownNames(config: LoadedConfig): KnownNames {
  return {
    subgraphs: subgraphNamesIn(config.supergraph.path),
    doorRoutes: ['graphql', ...BFFS.map((bff) => bff.name)],
    otherUpstreams: [SUPERGRAPH_UPSTREAM],
  };
}
