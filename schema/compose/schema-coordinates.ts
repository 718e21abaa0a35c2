import type { ASTNode, DocumentNode, NameNode } from 'graphql';

interface Span {
  readonly start: number;
  readonly end: number;
  readonly coordinate: string;
}

/**
 * Finds the schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`,
 * `@directive`) of an AST node inside one parsed SDL document.
 *
 * Composition errors carry the subgraph's own AST nodes but not where they sit in the
 * schema; a FieldDefinition node does not know its parent type. Their `loc` offsets do
 * survive composition, so we index every element's source range once and answer with the
 * innermost range containing the node (a directive application answers with the element
 * it is applied to).
 */
export class CoordinateIndex {
  readonly #spans: Span[] = [];

  constructor(document: DocumentNode) {
    for (const def of document.definitions) {
      switch (def.kind) {
        case 'ObjectTypeDefinition':
        case 'ObjectTypeExtension':
        case 'InterfaceTypeDefinition':
        case 'InterfaceTypeExtension':
        case 'InputObjectTypeDefinition':
        case 'InputObjectTypeExtension': {
          const type = def.name.value;
          this.#add(def, type);
          for (const field of def.fields ?? []) {
            const at = `${type}.${field.name.value}`;
            this.#add(field, at);
            if ('arguments' in field) for (const arg of field.arguments ?? []) this.#add(arg, `${at}(${arg.name.value}:)`);
          }
          break;
        }
        case 'EnumTypeDefinition':
        case 'EnumTypeExtension':
          this.#add(def, def.name.value);
          for (const v of def.values ?? []) this.#add(v, `${def.name.value}.${v.name.value}`);
          break;
        case 'UnionTypeDefinition':
        case 'UnionTypeExtension':
        case 'ScalarTypeDefinition':
        case 'ScalarTypeExtension':
          this.#add(def, def.name.value);
          break;
        case 'DirectiveDefinition':
          this.#add(def, `@${def.name.value}`);
          for (const arg of def.arguments ?? []) this.#add(arg, `@${def.name.value}(${arg.name.value}:)`);
          break;
        default:
          // schema definitions/extensions (@link) and executable definitions have no coordinate
          break;
      }
    }
  }

  coordinateOf(node: ASTNode): string | undefined {
    const loc = node.loc;
    if (!loc) return undefined;
    let best: Span | undefined;
    for (const s of this.#spans) {
      if (s.start <= loc.start && loc.end <= s.end && (!best || s.end - s.start < best.end - best.start)) best = s;
    }
    return best?.coordinate;
  }

  #add(node: { loc?: { start: number; end: number } | undefined; name: NameNode }, coordinate: string): void {
    if (node.loc) this.#spans.push({ start: node.loc.start, end: node.loc.end, coordinate });
  }
}
