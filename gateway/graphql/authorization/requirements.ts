import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DefinitionNode } from 'graphql';
import type { AccessRequirement } from '../../auth/access-policy.ts';
import { ENFORCED_SECURITY_FEATURES } from './features.ts';

/**
 * What one `@authenticated` or `@requiresScopes(scopes: [[a, b], [c]])` asks of the caller,
 * in the access policy's own terms (gateway/auth/access-policy.ts), so the scope semantics
 * ((a AND b) OR c) live in one place.
 */
export type Requirement = Extract<AccessRequirement, { kind: 'authenticated' } | { kind: 'scopes' }>;

/** The supergraph's authorization directives, read once per supergraph. */
export interface Requirements {
  /** Every distinct requirement, once (interned: equal requirements are the same object). */
  readonly all: readonly Requirement[];
  /** On types (object, interface, scalar, enum), by type name. */
  readonly onType: ReadonlyMap<string, readonly Requirement[]>;
  /** On fields, by schema coordinate `Type.field`. */
  readonly onField: ReadonlyMap<string, readonly Requirement[]>;
}

/** A supergraph whose authorization this gateway cannot enforce: it must not be served. */
export class UnenforceableSupergraphError extends Error {
  override readonly name = 'UnenforceableSupergraphError';
}

/**
 * Reads the requirements from a supergraph's SDL. The directives appear there under the
 * names their `@link` gives them (`as:`, or a renamed import), so names are resolved
 * through the links, never assumed.
 */
export function readRequirements(supergraphSdl: string): Requirements {
  const document = parse(supergraphSdl, { noLocation: true });
  const names = directiveNames(document.definitions);
  const interned = new Map<string, Requirement>();
  const onType = new Map<string, Requirement[]>();
  const onField = new Map<string, Requirement[]>();

  const requirementsOf = (directives: readonly ConstDirectiveNode[] | undefined, where: string): Requirement[] => {
    const found: Requirement[] = [];
    for (const d of directives ?? []) {
      const kind = names.get(d.name.value);
      if (!kind) continue;
      const requirement: Requirement = kind === 'authenticated' ? { kind: 'authenticated' } : { kind: 'scopes', anyOf: scopesOf(d, where) };
      const key = JSON.stringify(requirement);
      const existing = interned.get(key) ?? Object.freeze(requirement);
      interned.set(key, existing);
      if (!found.includes(existing)) found.push(existing);
    }
    return found;
  };
  const add = (map: Map<string, Requirement[]>, key: string, found: Requirement[]): void => {
    if (found.length === 0) return;
    const list = map.get(key) ?? [];
    for (const r of found) if (!list.includes(r)) list.push(r);
    map.set(key, list);
  };

  for (const def of document.definitions) {
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        add(onType, def.name.value, requirementsOf(def.directives, def.name.value));
        for (const field of def.fields ?? []) {
          const coordinate = `${def.name.value}.${field.name.value}`;
          add(onField, coordinate, requirementsOf(field.directives, coordinate));
        }
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        add(onType, def.name.value, requirementsOf(def.directives, def.name.value));
        break;
      default:
        break;
    }
  }
  return { all: [...interned.values()], onType, onField };
}

/**
 * Local directive name → what it is, from the schema's links. The bootstrap link (the one
 * linking the link spec itself) says what the link directive is called.
 */
function directiveNames(definitions: readonly DefinitionNode[]): Map<string, 'authenticated' | 'requiresScopes'> {
  const schemaDirectives = definitions.flatMap((d) => (d.kind === Kind.SCHEMA_DEFINITION || d.kind === Kind.SCHEMA_EXTENSION ? (d.directives ?? []) : []));
  const linkName = schemaDirectives.find((d) => /^https:\/\/specs\.apollo\.dev\/link\/v1\.\d+$/.test(stringArg(d, 'url') ?? ''))?.name.value ?? 'link';
  const names = new Map<string, 'authenticated' | 'requiresScopes'>();
  for (const link of schemaDirectives.filter((d) => d.name.value === linkName)) {
    const url = stringArg(link, 'url') ?? '';
    const feature = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes)\/(v\d+\.\d+)$/.exec(url);
    if (!feature) continue;
    if (!ENFORCED_SECURITY_FEATURES.has(url)) {
      throw new UnenforceableSupergraphError(`the supergraph links ${url}; this gateway enforces only ${[...ENFORCED_SECURITY_FEATURES.keys()].join(', ')}`);
    }
    const featureName = feature[1] as 'authenticated' | 'requiresScopes';
    names.set(importedName(link, featureName) ?? stringArg(link, 'as') ?? featureName, featureName);
  }
  return names;
}

/** `import: ["@x"]` keeps the name; `import: [{ name: "@x", as: "@y" }]` renames it. */
function importedName(link: ConstDirectiveNode, featureName: string): string | undefined {
  const imports = link.arguments?.find((a) => a.name.value === 'import')?.value;
  if (imports?.kind !== Kind.LIST) return undefined;
  for (const entry of imports.values) {
    if (entry.kind === Kind.STRING && entry.value === `@${featureName}`) return featureName;
    if (entry.kind === Kind.OBJECT) {
      const field = (name: string) => entry.fields.find((f) => f.name.value === name)?.value;
      const name = field('name');
      const as = field('as');
      if (name?.kind === Kind.STRING && name.value === `@${featureName}`) return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : featureName;
    }
  }
  return undefined;
}

function stringArg(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/** `scopes: [[String!]!]!`; anything else makes the supergraph unenforceable, not open. */
function scopesOf(directive: ConstDirectiveNode, where: string): ReadonlyArray<readonly string[]> {
  const value = directive.arguments?.find((a) => a.name.value === 'scopes')?.value;
  const bad = (): never => {
    throw new UnenforceableSupergraphError(`@${directive.name.value} on ${where}: scopes must be a list of lists of strings`);
  };
  if (value?.kind !== Kind.LIST) return bad();
  return Object.freeze(
    value.values.map((set: ConstValueNode) => {
      if (set.kind !== Kind.LIST) return bad();
      return Object.freeze(set.values.map((scope) => (scope.kind === Kind.STRING ? scope.value : bad())));
    }),
  );
}
