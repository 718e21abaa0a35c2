import { getNamedType, Kind, parse, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Caller } from '../harness.ts';

/**
 * What the supergraph's `@authenticated` and `@requiresScopes` guard: our gateway enforces
 * them (a guarded field the caller may not see comes back null with UNAUTHENTICATED or
 * FORBIDDEN), stock enforces neither. Read from the supergraph SDL itself, so a newly
 * guarded field moves operations out of the anonymous corpus without anyone editing a list.
 * (The demo supergraph imports both directives under their own names.)
 */
export interface Guards {
  /** `Type.field` coordinates guarded on the field. */
  readonly fields: ReadonlySet<string>;
  /** Types guarded as a whole (any field returning them, any selection on them). */
  readonly types: ReadonlySet<string>;
  /** Every scope any `@requiresScopes` names. */
  readonly scopes: readonly string[];
}

const GUARDS = new Set(['authenticated', 'requiresScopes']);

export function guardsOf(supergraphSdl: string): Guards {
  const fields = new Set<string>();
  const types = new Set<string>();
  const scopes = new Set<string>();
  const noteScopes = (directive: { name: { value: string }; arguments?: ReadonlyArray<{ value: unknown }> | undefined }): void => {
    if (directive.name.value !== 'requiresScopes') return;
    const collect = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      const node = value as { kind?: string; value?: unknown; values?: readonly unknown[] };
      if (node.kind === Kind.STRING && typeof node.value === 'string') scopes.add(node.value);
      for (const v of node.values ?? []) collect(v);
    };
    for (const arg of directive.arguments ?? []) collect(arg.value);
  };
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const d of def.directives ?? []) {
      if (!GUARDS.has(d.name.value)) continue;
      types.add(def.name.value);
      noteScopes(d);
    }
    for (const field of def.fields ?? []) {
      for (const d of field.directives ?? []) {
        if (!GUARDS.has(d.name.value)) continue;
        fields.add(`${def.name.value}.${field.name.value}`);
        noteScopes(d);
      }
    }
  }
  return { fields, types, scopes: [...scopes].sort() };
}

/** The guarded coordinates an operation selects (fragments included), in document order. */
export function guardedSelections(schema: GraphQLSchema, document: DocumentNode, guards: Guards): string[] {
  const found: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const type = typeInfo.getType();
        if (!parent) return;
        const coordinate = `${parent.name}.${node.name.value}`;
        const named = type ? getNamedType(type).name : undefined;
        if (guards.fields.has(coordinate) || guards.types.has(parent.name) || (named !== undefined && guards.types.has(named))) found.push(coordinate);
      },
    }),
  );
  return found;
}

/**
 * A caller our gateway lets see everything: every scope the supergraph asks for, and the
 * orders subgraph's admin role (so row-level rules show the most data). With it, our
 * authorization filters nothing and both gateways must give the same answer.
 */
export function fullRightsCaller(guards: Guards): Caller {
  return { sub: 'u1', scopes: guards.scopes, roles: ['admin'] };
}
