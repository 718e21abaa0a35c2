import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import type { SupergraphManager } from '@apollo/gateway';
import { parse, Kind, type ArgumentNode, type ConstDirectiveNode } from 'graphql';

/**
 * The `for: SECURITY` features of a supergraph that this gateway enforces itself, on
 * /graphql, in the authorization plugin (plugin.ts). Any other SECURITY feature (`@policy`,
 * a newer version of these) stays unsupported, and @apollo/gateway refuses the supergraph:
 * fail closed, never serve a field whose guard nobody checks.
 */
export const ENFORCED_SECURITY_FEATURES: ReadonlyMap<string, 'authenticated' | 'requiresScopes'> = new Map([
  ['https://specs.apollo.dev/authenticated/v0.1', 'authenticated'],
  ['https://specs.apollo.dev/requiresScopes/v0.1', 'requiresScopes'],
]);

/**
 * What a supergraph may link and still be served by this gateway, for
 * `Supergraph.build(sdl, { supportedFeatures })` (the schema check uses it too). A fresh
 * set each time: federation-internals takes a mutable one.
 */
export function gatewaySupportedFeatures(): Set<string> {
  return new Set([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, ...ENFORCED_SECURITY_FEATURES.keys()]);
}

/**
 * The supergraph as @apollo/gateway is given it. The gateway refuses any `for: SECURITY`
 * feature it does not implement itself (it implements none), which is the right default;
 * we do enforce these two, so their links lose the `for: SECURITY` purpose in the gateway's
 * copy and nothing else changes (byte for byte outside those arguments). The API schema is
 * the same either way: link machinery never reaches clients.
 */
export function supergraphForApolloGateway(sdl: string): string {
  const document = parse(sdl, { noLocation: false });
  const cuts: Array<{ start: number; end: number }> = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of def.directives ?? []) {
      const cut = securityPurposeOf(directive);
      if (cut) cuts.push(cut);
    }
  }
  let out = sdl;
  for (const { start, end } of cuts.sort((a, b) => b.start - a.start)) out = out.slice(0, start) + out.slice(end);
  return out;
}

/** The text span of `, for: SECURITY` in a link to an enforced feature, if there is one. */
function securityPurposeOf(directive: ConstDirectiveNode): { start: number; end: number } | undefined {
  const args = directive.arguments ?? [];
  const url = args.find((a) => a.name.value === 'url')?.value;
  if (url?.kind !== Kind.STRING || !ENFORCED_SECURITY_FEATURES.has(url.value)) return undefined;
  const index = args.findIndex((a) => a.name.value === 'for');
  const purpose = args[index];
  if (!purpose || purpose.value.kind !== Kind.ENUM || purpose.value.value !== 'SECURITY' || !purpose.loc) return undefined;
  // Cut from the end of the previous argument (its comma and blanks go too), or up to the next one.
  const previous: ArgumentNode | undefined = args[index - 1];
  const next: ArgumentNode | undefined = args[index + 1];
  if (previous?.loc) return { start: previous.loc.end, end: purpose.loc.end };
  if (next?.loc) return { start: purpose.loc.start, end: next.loc.start };
  return undefined;
}

/**
 * Wraps the gateway's supergraph source so every SDL it hands over (the first and each
 * hot reload) goes through `supergraphForApolloGateway`. Only the door that also installs
 * the authorization plugin may use it.
 */
export function enforcedSecurityFeatures(manager: SupergraphManager): SupergraphManager {
  return {
    initialize: async (hooks) => {
      const result = await manager.initialize({ ...hooks, update: (sdl) => hooks.update(supergraphForApolloGateway(sdl)) });
      return { ...result, supergraphSdl: supergraphForApolloGateway(result.supergraphSdl) };
    },
  };
}
