import type { GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../../context/request-context.ts';
import { entitiesAlias, mergeEntityOperations, mergedVariables } from './merged-operation.ts';
import type { SubgraphAnswer, SubgraphRequest } from './subgraph-fetcher.ts';
import type { RawJson } from './raw-json.ts';
import type { ResultObject } from './types.ts';

/** An `_entities` fetch of the plan, as the batcher needs it. */
export interface EntityFetch {
  /** Unique within the plan: merged operations are cached by the ids they combine. */
  readonly id: number;
  readonly serviceName: string;
  readonly operation: string;
  readonly operationName: string | undefined;
}

interface Pending {
  readonly fetch: EntityFetch;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly representations: RawJson;
  readonly resolve: (answer: SubgraphAnswer) => void;
}

export type SendToSubgraph = (serviceName: string, request: SubgraphRequest) => Promise<SubgraphAnswer>;

/**
 * Coalesces the `_entities` fetches of one request that become ready at the same moment
 * (before the event loop turns: siblings of a Parallel node, fetches unlocked by answers
 * that arrived together) into one request per subgraph, then hands each fetch its part
 * of the answer as if it had been sent alone.
 */
export class EntityBatcher {
  readonly #pending = new Map<string, Pending[]>();
  #scheduled = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly send: SendToSubgraph,
    /** Merged operation texts by the fetch ids they combine; lives with the plan. */
    private readonly merged: Map<string, string>,
  ) {}

  fetch(fetch: EntityFetch, variables: Readonly<Record<string, unknown>>, representations: RawJson): Promise<SubgraphAnswer> {
    return new Promise<SubgraphAnswer>((resolve) => {
      const list = this.#pending.get(fetch.serviceName);
      const pending: Pending = { fetch, variables, representations, resolve };
      if (list) list.push(pending);
      else this.#pending.set(fetch.serviceName, [pending]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batches = [...this.#pending.values()];
    this.#pending.clear();
    for (const batch of batches) void this.#sendBatch(batch);
  }

  async #sendBatch(batch: readonly Pending[]): Promise<void> {
    const [only] = batch;
    if (only && batch.length === 1) {
      only.resolve(
        await this.send(only.fetch.serviceName, {
          operation: only.fetch.operation,
          operationName: only.fetch.operationName,
          variables: { ...only.variables, representations: only.representations },
          mutation: false,
          ctx: this.ctx,
        }),
      );
      return;
    }
    const key = batch.map((p) => p.fetch.id).join(',');
    let operation = this.merged.get(key);
    if (operation === undefined) {
      operation = mergeEntityOperations(
        batch.map((p) => p.fetch.operation),
        batch[0]?.fetch.operationName,
      );
      this.merged.set(key, operation);
    }
    const shared: Record<string, unknown> = {};
    for (const p of batch) Object.assign(shared, p.variables);
    const first = batch[0];
    const answer = await this.send(first?.fetch.serviceName ?? '', {
      operation,
      operationName: first?.fetch.operationName,
      variables: mergedVariables(shared, batch.map((p) => p.representations)),
      mutation: false,
      ctx: this.ctx,
    });
    // `_entities` is non-null: when one part fails whole, the merged `data` is null and
    // takes the others down with it. Which part failed is not knowable from the answer, so
    // each is sent alone then, as it would have been without coalescing.
    if (answer.data === null || answer.data === undefined) {
      await Promise.all(batch.map((p) => this.#sendBatch([p])));
      return;
    }
    batch.forEach((p, i) => p.resolve(partOf(answer, i)));
  }
}

/** The i-th fetch's answer out of a merged one: its aliased `_entities`, its errors, and errors of no one fetch. */
function partOf(answer: SubgraphAnswer, i: number): SubgraphAnswer {
  const alias = entitiesAlias(i);
  const errors: GraphQLFormattedError[] = [];
  for (const error of answer.errors ?? []) {
    const [head, ...rest] = error.path ?? [];
    if (head === alias) errors.push({ ...error, path: ['_entities', ...rest] });
    else if (typeof head !== 'string' || !/^_e\d+$/.test(head)) errors.push(error);
  }
  const data: ResultObject | null | undefined = answer.data === undefined ? undefined : answer.data === null ? null : { _entities: answer.data[alias] };
  return { ...(data === undefined ? {} : { data }), ...(errors.length > 0 ? { errors } : {}) };
}
