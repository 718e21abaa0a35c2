import leven from 'leven';
import { ConfigError, type LoadedConfig } from './load.ts';

/**
 * What names in config may refer to besides the config's own `routes`. They come from
 * outside the config (the supergraph file, the BFFs compiled in), so the composition root
 * supplies them: see gateway/known-names.ts.
 */
export interface KnownNames {
  /** Subgraphs of the supergraph served at start-up. */
  readonly subgraphs: readonly string[];
  /** Names the non-REST doors pass as the route (`graphql`, each BFF client): rate-limit buckets and API keys may name them. */
  readonly doorRoutes: readonly string[];
  /** Upstreams built from neither a subgraph nor a route (the BFFs' HTTP supergraph client). */
  readonly otherUpstreams?: readonly string[];
}

interface Namespace {
  /** What a name of it is called in a message: "subgraph", "upstream", "route". */
  readonly kind: string;
  readonly names: readonly string[];
  /** Where the names come from, for the message. */
  readonly from: string;
}

/**
 * A name-keyed entry nothing answers to is a typo, and a typo here fails quietly: a policy
 * for `upstreams.usres` or a limit for `rateLimit.routes.notifcations` would simply never
 * apply. So every such name must be known, or start-up stops with a ConfigError naming the
 * key, the names it could be, and the closest one.
 */
export function checkReferences(config: LoadedConfig, known: KnownNames): void {
  const routes = config.routes.map((r) => r.name);
  const problems: string[] = [];
  const check = (key: string, name: string, namespace: Namespace, hint = ''): void => {
    if (namespace.names.includes(name)) return;
    problems.push(`${key}: there is no ${namespace.kind} "${name}"${didYouMean(name, namespace.names)}; ${namespace.from}${hint}`);
  };

  const subgraphs: Namespace = { kind: 'subgraph', names: known.subgraphs, from: `the supergraph (${config.supergraph.path}) has ${list(known.subgraphs)}` };
  for (const name of Object.keys(config.subgraphs)) {
    const envVar = /^[a-z0-9_]+$/.test(name) ? ` (set by the config file or SUBGRAPH_${name.toUpperCase()}_URL)` : '';
    check(`subgraphs.${name}`, name, subgraphs, envVar);
  }
  const upstreams: Namespace = {
    kind: 'upstream',
    names: [...known.subgraphs, ...routes, ...(known.otherUpstreams ?? [])],
    from: `upstreams are the subgraphs (${list(known.subgraphs)}) and the routes (${list(routes)})`,
  };
  for (const name of Object.keys(config.upstreams)) check(`upstreams.${name}`, name, upstreams);
  for (const name of Object.keys(config.headers.upstreams)) check(`headers.upstreams.${name}`, name, upstreams);

  const routeNames: Namespace = {
    kind: 'route',
    names: [...routes, ...known.doorRoutes],
    from: `routes are the REST routes (${list(routes)}) and the doors' (${list(known.doorRoutes)})`,
  };
  for (const name of Object.keys(config.rateLimit.routes)) check(`rateLimit.routes.${name}`, name, routeNames);
  for (const name of Object.keys(config.cors.routes)) check(`cors.routes.${name}`, name, routeNames);
  const restRoutes: Namespace = { kind: 'REST route', names: routes, from: `the REST routes are ${list(routes)}` };
  config.cors.upstreamRoutes.forEach((name, i) => check(`cors.upstreamRoutes.${i}`, name, restRoutes));
  config.auth.apiKeys.forEach((apiKey, i) =>
    apiKey.routes.forEach((name, j) => {
      if (name !== '*') check(`auth.apiKeys.${i}.routes.${j}`, name, routeNames, ', or "*" for all');
    }),
  );

  if (problems.length > 0) throw new ConfigError(problems);
}

/** The closest known name, when it is close enough to be the one meant. */
function didYouMean(name: string, names: readonly string[]): string {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const distance = leven(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  // A transposition costs 2; beyond a third of the name it is another word, not a typo.
  const tolerance = Math.max(2, Math.floor(name.length / 3));
  return best && best.distance <= tolerance && best.distance < name.length ? ` (did you mean "${best.name}"?)` : '';
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}
