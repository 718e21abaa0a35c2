import { readFileSync } from 'node:fs';
import { Kind, parse, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import { ConfigError } from './load.ts';

/**
 * The subgraph names of the supergraph at `path` (`supergraph.path`): the `name` of each
 * `join__Graph` value's `@join__graph`, which is what `subgraphs.<name>` and
 * `upstreams.<name>` refer to. A file that cannot be read or parsed is a ConfigError
 * naming the key, rather than a stack trace from deep in start-up. (Whether it is a valid
 * supergraph is the supergraph door's to say, when it loads it.)
 */
export function subgraphNamesIn(path: string): string[] {
  let document: DocumentNode;
  try {
    document = parse(readFileSync(path, 'utf8'), { noLocation: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([`supergraph.path: cannot read the supergraph ${path}: ${reason}`]);
  }
  const names: string[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = joinGraphName(value.directives ?? []);
      if (name !== undefined) names.push(name);
    }
  }
  return names;
}

function joinGraphName(directives: readonly ConstDirectiveNode[]): string | undefined {
  const directive = directives.find((d) => d.name.value === 'join__graph');
  const argument = directive?.arguments?.find((a) => a.name.value === 'name');
  return argument?.value.kind === Kind.STRING ? argument.value.value : undefined;
}
