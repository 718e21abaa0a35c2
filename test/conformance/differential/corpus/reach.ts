import { Kind, parse, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * Which subgraphs an operation certainly reaches: those that alone resolve a field it
 * selects (`@join__field(graph:)`, or the type's only `@join__type`). Fields several
 * subgraphs can resolve (keys, shareable ones) say nothing and are skipped. The failure
 * suites use it to send each failing subgraph only the operations that meet it: the
 * others would compare equal trivially, and the machine is small.
 */
export interface Ownership {
  /** `Type.field` → subgraph names that resolve it. */
  readonly owners: ReadonlyMap<string, readonly string[]>;
}

export function ownershipOf(supergraphSdl: string): Ownership {
  const document = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const name = value.directives?.find((d) => d.name.value === 'join__graph')?.arguments?.find((a) => a.name.value === 'name')?.value;
      if (name?.kind === Kind.STRING) graphNames.set(value.name.value, name.value);
    }
  }
  type Directive = { name: { value: string }; arguments?: ReadonlyArray<{ name: { value: string }; value: { kind: string; value?: unknown } }> | undefined };
  const flag = (d: Directive, arg: string): boolean | undefined => {
    const v = d.arguments?.find((a) => a.name.value === arg)?.value;
    return v?.kind === Kind.BOOLEAN ? v.value === true : undefined;
  };
  // An @external field is not resolved there; a `resolvable: false` key cannot be fetched there.
  const graphsOf = (directives: readonly Directive[], directive: 'join__type' | 'join__field'): string[] =>
    directives
      .filter((d) => d.name.value === directive)
      .filter((d) => (directive === 'join__field' ? flag(d, 'external') !== true : flag(d, 'resolvable') !== false))
      .map((d) => d.arguments?.find((a) => a.name.value === 'graph')?.value)
      .flatMap((v) => (v?.kind === Kind.ENUM && typeof v.value === 'string' ? [graphNames.get(v.value) ?? v.value] : []));
  const owners = new Map<string, string[]>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const typeGraphs = graphsOf(def.directives ?? [], 'join__type');
    for (const field of def.fields ?? []) {
      const own = graphsOf(field.directives ?? [], 'join__field');
      owners.set(`${def.name.value}.${field.name.value}`, own.length > 0 ? own : typeGraphs);
    }
  }
  return { owners };
}

/** The subgraphs `document` certainly reaches (see above). */
export function subgraphsReached(schema: GraphQLSchema, ownership: Ownership, document: DocumentNode): Set<string> {
  const reached = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const owners = parent ? ownership.owners.get(`${parent.name}.${node.name.value}`) : undefined;
        if (owners?.length === 1 && owners[0]) reached.add(owners[0]);
      },
    }),
  );
  return reached;
}
