import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { CallingClient } from '../context/request-context.ts';
import { documentId, fragmentsNeeded, operationBody } from './documents.ts';
import type { ClientRegistry } from './registry.ts';

/** Registered bodies by id. */
type Bodies = ReadonlyMap<string, string>;

interface ClientDocuments {
  readonly all: Bodies;
  readonly byVersion: ReadonlyMap<string, Bodies>;
}

interface DoorDocuments {
  readonly all: Bodies;
  readonly byClient: ReadonlyMap<string, ClientDocuments>;
}

const NONE: Bodies = new Map();

/**
 * The registry's operations indexed for the doors, built once at start-up: per door path
 * (`/graphql`, `/bff/mobile/graphql`), per client, per version, id → registered body. A
 * lookup is one or two Map reads.
 *
 * Which documents a request may run (its scope): those of the calling client's version
 * when the client is registered for the door and the version is listed; any listed
 * version of that client when the version is not; any listed version of any client of
 * the door when the client is unknown here.
 */
export class TrustedDocuments {
  readonly #doors: ReadonlyMap<string, DoorDocuments>;

  constructor(registry: ClientRegistry) {
    const doors = new Map<string, { all: Map<string, string>; byClient: Map<string, ClientDocuments> }>();
    for (const client of registry.clients) {
      let door = doors.get(client.door.path);
      if (!door) doors.set(client.door.path, (door = { all: new Map(), byClient: new Map() }));
      const all = new Map<string, string>();
      const byVersion = new Map<string, Bodies>();
      for (const version of client.versions) {
        const bodies = new Map(version.operations.map((op) => [op.id, op.body]));
        byVersion.set(version.version, bodies);
        for (const [id, body] of bodies) {
          all.set(id, body);
          door.all.set(id, body);
        }
      }
      door.byClient.set(client.name, { all, byVersion });
    }
    this.#doors = doors;
  }

  /** The bodies `client` may run on `doorPath` (see the class comment). */
  scope(doorPath: string, client: CallingClient): Bodies {
    const door = this.#doors.get(doorPath);
    if (!door) return NONE;
    const own = client.name === undefined ? undefined : door.byClient.get(client.name);
    if (!own) return door.all;
    return (client.version !== undefined ? own.byVersion.get(client.version) : undefined) ?? own.all;
  }

  /** Whether `doorPath` has any registered client (a door without one has nothing to enforce against). */
  hasDocuments(doorPath: string): boolean {
    return (this.#doors.get(doorPath)?.all.size ?? 0) > 0;
  }
}

/**
 * A text's id as the registry would compute it for the operation the request runs: what
 * "the same document" means for a text sent inline. The exact registered body matches by
 * its SHA-256 without parsing; any other text is parsed and the operation selected by
 * `operationName` (or the only one) is printed with the fragments it spreads, sorted by
 * name (documents.ts `operationBody`). So whitespace, commas, comments, the order of
 * definitions and operations or fragments the request does not run make no difference;
 * a different selection, argument, alias, directive or name does. Undefined when the text
 * does not parse or selects no operation (the door then refuses it or Apollo reports why).
 */
export function normalizedDocumentId(text: string, operationName: unknown, maxTokens: number | undefined): string | undefined {
  let document;
  try {
    document = parse(text, { noLocation: true, ...(maxTokens !== undefined ? { maxTokens } : {}) });
  } catch {
    return undefined;
  }
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
    else if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const operation =
    typeof operationName === 'string' ? operations.find((op) => op.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return undefined;
  return documentId(operationBody(operation, fragmentsNeeded(operation, fragments)));
}
