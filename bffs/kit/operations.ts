import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, Source, parse, print, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { fragmentsNeeded } from '../../gateway/clients/documents.ts';

/**
 * One supergraph operation a BFF sends, loaded from `bffs/<client>/operations/*.graphql`.
 * `TData` and `TVariables` are the BFF's declaration of what the document selects and
 * takes; they exist only for the type checker (the e2e tests check the shapes).
 */
export interface Operation<TData, TVariables> {
  readonly name: string;
  readonly type: OperationDefinitionNode['operation'];
  /** The operation and exactly the fragments it spreads. */
  readonly document: DocumentNode;
  /** `document` printed once at start-up: what is sent, so nothing is printed per request. */
  readonly text: string;
  /**
   * Phantom: never set. Variables sit in a parameter position, so an operation that takes
   * wider variables (generated types accept `ID` as `string | number`) serves a caller
   * that passes narrower ones (a loader's `{ ids: string[] }`).
   */
  readonly __types?: { readonly data: TData; readonly variables: (variables: TVariables) => void };
}

/** A declared operation before it is loaded: carries only its types. */
export interface OperationDeclaration<TData, TVariables> {
  readonly __declared?: { readonly data: TData; readonly variables: TVariables };
}

/** Declares an operation's result and variables: `operation<MyData, { id: string }>()`. */
export function operation<TData, TVariables = Record<string, never>>(): OperationDeclaration<TData, TVariables> {
  return {};
}

export type LoadedOperations<TDeclared> = {
  readonly [K in keyof TDeclared]: TDeclared[K] extends OperationDeclaration<infer D, infer V> ? Operation<D, V> : never;
};

/**
 * Reads every `.graphql` file of a BFF's operations folder once (at start-up: this runs
 * when the BFF module is imported), parses it, and returns the declared operations by
 * name. Start-up fails when a declared operation has no document, a document's operation
 * is not declared (it would never be sent, or be sent untyped), a name is used twice, or a
 * file does not parse. Validation against the supergraph is `npm run schema:check`'s job
 * (and test/e2e/bff-operations.test.ts): the documents are the same files.
 */
export function loadOperations<TDeclared extends Record<string, OperationDeclaration<unknown, unknown>>>(
  folder: URL,
  declared: TDeclared,
): LoadedOperations<TDeclared> {
  const dir = fileURLToPath(folder);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  const operations = new Map<string, OperationDefinitionNode>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const file of files) {
    const document = parse(new Source(readFileSync(join(dir, file), 'utf8'), join(dir, file)));
    for (const def of document.definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION) {
        const name = def.name?.value;
        if (!name) throw new Error(`${file}: every BFF operation needs a name`);
        if (operations.has(name)) throw new Error(`${file}: operation ${name} is defined twice in ${dir}`);
        operations.set(name, def);
      } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(def.name.value)) throw new Error(`${file}: fragment ${def.name.value} is defined twice in ${dir}`);
        fragments.set(def.name.value, def);
      }
    }
  }

  const loaded: Record<string, Operation<unknown, unknown>> = {};
  for (const name of Object.keys(declared)) {
    const def = operations.get(name);
    if (!def) throw new Error(`operation ${name} is declared but no file in ${dir} defines it`);
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [def, ...fragmentsSpreadBy(def, fragments)] };
    loaded[name] = Object.freeze({ name, type: def.operation, document, text: print(document) });
  }
  const undeclared = [...operations.keys()].filter((name) => !(name in declared));
  if (undeclared.length > 0) throw new Error(`${dir} defines operations nobody declared: ${undeclared.join(', ')}`);
  return Object.freeze(loaded) as LoadedOperations<TDeclared>;
}

function fragmentsSpreadBy(root: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  return fragmentsNeeded(root, fragments, (name) => {
    throw new Error(`operation ${root.name?.value ?? '(anonymous)'} spreads unknown fragment ${name}`);
  });
}
