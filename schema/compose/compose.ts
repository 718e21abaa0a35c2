import { composeServices } from '@apollo/composition';
import { GraphQLError, Source, parse, type ASTNode, type DocumentNode } from 'graphql';
import { CoordinateIndex } from './schema-coordinates.ts';

/** What composition needs of a subgraph: the shape `loadSupergraphConfig` returns. */
export interface SubgraphInput {
  readonly name: string;
  readonly url: string;
  readonly sdl: string;
  /** Shown in syntax errors when given. */
  readonly file?: string;
}

/** One composition error or hint, located as precisely as composition lets us. */
export interface CompositionIssue {
  /** Composition's own code (`FIELD_TYPE_MISMATCH`, `KEY_INVALID_FIELDS`, …), or `INVALID_GRAPHQL` for SDL that does not parse. */
  readonly code: string;
  readonly message: string;
  /** The first subgraph the issue points at. */
  readonly subgraph?: string;
  /** Every subgraph the issue points at, in the order composition named them. */
  readonly subgraphs: readonly string[];
  /** Schema coordinate: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`. */
  readonly coordinate?: string;
}

export type CompositionOutcome =
  | { readonly ok: true; readonly supergraphSdl: string; readonly hints: readonly CompositionIssue[] }
  | { readonly ok: false; readonly errors: readonly CompositionIssue[] };

interface Parsed {
  readonly name: string;
  readonly url: string;
  readonly typeDefs: DocumentNode;
  readonly index: CoordinateIndex;
}

/**
 * Composes Federation 2 subgraphs into a supergraph with `@apollo/composition`.
 *
 * Deterministic: subgraphs are composed in name order, so the same SDL gives a
 * byte-identical supergraph whatever order the config lists them in, and the SDL always
 * ends with one newline (it is written to a file that is diffed in CI).
 */
export function composeSubgraphs(subgraphs: readonly SubgraphInput[]): CompositionOutcome {
  const errors: CompositionIssue[] = [];
  const seen = new Set<string>();
  const parsed: Parsed[] = [];
  // Composition hands back the subgraphs' own AST nodes; their Source tells us which subgraph.
  const bySource = new Map<Source, Parsed>();

  for (const s of [...subgraphs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (seen.has(s.name)) {
      errors.push({ code: 'DUPLICATE_SUBGRAPH', message: `Subgraph "${s.name}" is listed twice`, subgraph: s.name, subgraphs: [s.name] });
      continue;
    }
    seen.add(s.name);
    const source = new Source(s.sdl, s.file ?? s.name);
    try {
      const typeDefs = parse(source);
      const p: Parsed = { name: s.name, url: s.url, typeDefs, index: new CoordinateIndex(typeDefs) };
      parsed.push(p);
      bySource.set(source, p);
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : String(error);
      const at = error instanceof GraphQLError && error.locations?.[0] ? ` (${source.name}:${error.locations[0].line}:${error.locations[0].column})` : '';
      errors.push({ code: 'INVALID_GRAPHQL', message: `[${s.name}] ${message}${at}`, subgraph: s.name, subgraphs: [s.name] });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const result = composeServices(parsed.map((p) => ({ name: p.name, url: p.url, typeDefs: p.typeDefs })));
  const locate = (code: string, message: string, nodes: readonly ASTNode[] | undefined, coordinate?: string): CompositionIssue =>
    describe(code, message, nodes ?? [], bySource, coordinate);

  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((e) => locate(codeOf(e), e.message, e.nodes)),
    };
  }
  return {
    ok: true,
    supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`,
    hints: result.hints.map((h) => locate(h.definition.code, h.message, h.nodes, h.coordinate)),
  };
}

function codeOf(error: GraphQLError): string {
  const code = error.extensions.code;
  return typeof code === 'string' ? code : 'COMPOSITION_ERROR';
}

function describe(
  code: string,
  message: string,
  nodes: readonly ASTNode[],
  bySource: ReadonlyMap<Source, Parsed>,
  knownCoordinate: string | undefined,
): CompositionIssue {
  const subgraphs: string[] = [];
  let coordinate = knownCoordinate;
  for (const node of nodes) {
    const owner = node.loc ? bySource.get(node.loc.source) : undefined;
    // Nodes composition re-created carry the name it attached (`SubgraphASTNode.subgraph`).
    const tagged = (node as { subgraph?: unknown }).subgraph;
    const name = owner?.name ?? (typeof tagged === 'string' ? tagged : undefined);
    if (name && !subgraphs.includes(name)) subgraphs.push(name);
    coordinate ??= owner?.index.coordinateOf(node);
  }
  // Some errors carry no nodes; their messages still follow fixed patterns.
  if (subgraphs.length === 0) {
    const prefixed = /^\[([^\]]+)\]/.exec(message)?.[1];
    if (prefixed) subgraphs.push(prefixed);
    for (const m of message.matchAll(/subgraphs? "([^"]+)"/g)) if (m[1] && !subgraphs.includes(m[1])) subgraphs.push(m[1]);
  }
  coordinate ??= /"([A-Za-z_]\w*\.[A-Za-z_]\w*)"/.exec(message)?.[1];
  const issue: CompositionIssue = { code, message, subgraphs };
  return {
    ...issue,
    ...(subgraphs[0] !== undefined ? { subgraph: subgraphs[0] } : {}),
    ...(coordinate !== undefined ? { coordinate } : {}),
  };
}

/** One line per issue, as the CLIs print them: `CODE [subgraph] Coordinate: message`. */
export function formatIssue(issue: CompositionIssue): string {
  const where = [issue.subgraphs.length > 0 ? `[${issue.subgraphs.join(', ')}]` : '', issue.coordinate ?? ''].filter(Boolean).join(' ');
  return `${issue.code}${where ? ` ${where}` : ''}: ${issue.message}`;
}
