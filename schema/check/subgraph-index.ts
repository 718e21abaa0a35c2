import { Kind, Source, parse, type DefinitionNode, type Location } from 'graphql';
import { spreadKey } from './usage-keys.ts';

export interface SubgraphSdl {
  readonly name: string;
  readonly sdl: string;
  /** Path relative to the check's root, when the SDL came from a file. */
  readonly file?: string;
}

/** Where a subgraph defines an element. `line` only when it points into the working tree. */
export interface Definition {
  readonly subgraph: string;
  readonly file?: string;
  readonly line?: number;
}

/**
 * Which subgraphs define each schema coordinate (and each union membership / interface
 * implementation, keyed like usage keys: `Union ... on Member`, `Interface ... on Type`).
 *
 * Read from the subgraphs' own SDL rather than from the supergraph's join directives: it
 * works the same for SDL files, for files read from git and for subgraphs extracted from
 * a supergraph, and it gives line numbers for annotations. A type or field declared in
 * several subgraphs (entities, @shareable) lists all of them.
 */
export class SubgraphIndex {
  readonly #definitions = new Map<string, Definition[]>();

  /** `withLines`: the SDL is the working tree's, so lines are worth reporting. */
  constructor(subgraphs: readonly SubgraphSdl[], withLines: boolean) {
    for (const subgraph of subgraphs) {
      let definitions: readonly DefinitionNode[];
      try {
        definitions = parse(new Source(subgraph.sdl, subgraph.file ?? subgraph.name)).definitions;
      } catch {
        continue; // composition reports unparsable SDL; the index just has nothing from it
      }
      const add = (key: string, loc: Location | undefined): void => {
        const list = this.#definitions.get(key) ?? [];
        if (list.some((d) => d.subgraph === subgraph.name)) return;
        const line = withLines && loc ? loc.startToken.line : undefined;
        list.push({
          subgraph: subgraph.name,
          ...(subgraph.file !== undefined ? { file: subgraph.file } : {}),
          ...(line !== undefined ? { line } : {}),
        });
        this.#definitions.set(key, list);
      };
      for (const def of definitions) indexDefinition(def, add);
    }
  }

  /** Subgraphs defining `key`, in the order they were given. */
  lookup(key: string): readonly Definition[] {
    return this.#definitions.get(key) ?? [];
  }
}

function indexDefinition(def: DefinitionNode, add: (key: string, loc: Location | undefined) => void): void {
  switch (def.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_EXTENSION: {
      const type = def.name.value;
      add(type, def.loc);
      for (const iface of def.interfaces ?? []) add(spreadKey(iface.name.value, type), iface.loc);
      for (const field of def.fields ?? []) {
        const coordinate = `${type}.${field.name.value}`;
        add(coordinate, field.loc);
        for (const arg of field.arguments ?? []) add(`${coordinate}(${arg.name.value}:)`, arg.loc);
      }
      return;
    }
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_EXTENSION:
      add(def.name.value, def.loc);
      for (const field of def.fields ?? []) add(`${def.name.value}.${field.name.value}`, field.loc);
      return;
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_EXTENSION:
      add(def.name.value, def.loc);
      for (const value of def.values ?? []) add(`${def.name.value}.${value.name.value}`, value.loc);
      return;
    case Kind.UNION_TYPE_DEFINITION:
    case Kind.UNION_TYPE_EXTENSION:
      add(def.name.value, def.loc);
      for (const member of def.types ?? []) add(spreadKey(def.name.value, member.name.value), member.loc);
      return;
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_EXTENSION:
      add(def.name.value, def.loc);
      return;
    case Kind.DIRECTIVE_DEFINITION:
      add(`@${def.name.value}`, def.loc);
      for (const arg of def.arguments ?? []) add(`@${def.name.value}(${arg.name.value}:)`, arg.loc);
      return;
    default:
      return; // schema definitions (@link) and executable definitions define no coordinate
  }
}
