import type { GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../../context/request-context.ts';
import { toGraphQLErrorJson } from '../../errors/render.ts';
import { callReading } from '../../upstream/answer-body.ts';
import type { BodyReader, UpstreamCall } from '../../upstream/types.ts';
import { parseGraphQLAnswer } from '../graphql-answer.ts';
import { identityKey } from './identity-key.ts';
import { InflightRequests } from './inflight.ts';
import { variablesJson } from './raw-json.ts';
import type { ResultObject } from './types.ts';

/** A subgraph's GraphQL answer, or the error that stood in for one. */
export interface SubgraphAnswer {
  readonly data?: ResultObject | null;
  readonly errors?: readonly GraphQLFormattedError[];
}

export interface SubgraphRequest {
  readonly operation: string;
  readonly operationName: string | undefined;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Mutations are never retried nor shared. */
  readonly mutation: boolean;
  readonly ctx: RequestContext;
}

/**
 * Sends planned operations to one subgraph through its upstream pipeline. A failed call
 * (transport, status, a body that is not a GraphQL response) becomes the answer's one
 * error, so the plan goes on and the client gets partial data, as with @apollo/gateway.
 *
 * With `share` on, identical queries in flight at the same moment (same operation,
 * variables and identity) make one upstream request; each caller parses its own copy of
 * the body, because merging writes into what it parsed.
 */
export class SubgraphFetcher {
  readonly #inflight: InflightRequests<SharedCall> | null;

  constructor(
    readonly name: string,
    private readonly call: UpstreamCall,
    share: boolean,
    private readonly onShared?: () => void,
  ) {
    this.#inflight = share ? new InflightRequests<SharedCall>() : null;
  }

  async send(request: SubgraphRequest): Promise<SubgraphAnswer> {
    const name = request.operationName === undefined ? '' : `,"operationName":${JSON.stringify(request.operationName)}`;
    const body = `{"query":${JSON.stringify(request.operation)},"variables":${variablesJson(request.variables)}${name}}`;
    try {
      if (!this.#inflight || request.mutation) return (await this.#fetch(request, body)).take();
      const shared = await this.#inflight.run(
        `${identityKey(request.ctx)}\n${body}`,
        async (): Promise<SharedCall> => {
          try {
            return { ctx: request.ctx, raw: await this.#fetch(request, body) };
          } catch (error) {
            return { ctx: request.ctx, error };
          }
        },
        this.onShared,
      );
      if ('raw' in shared) return shared.raw.take();
      // The shared call ran under its first caller's request: if that one left or hit its
      // deadline while this one still waits, this one makes the call itself.
      if (shared.ctx !== request.ctx && shared.ctx.signal.aborted && !request.ctx.signal.aborted) return (await this.#fetch(request, body)).take();
      throw shared.error;
    } catch (error) {
      return { errors: [toGraphQLErrorJson(error)] };
    }
  }

  async #fetch(request: SubgraphRequest, body: string): Promise<RawAnswer> {
    const { value } = await callReading(this.call, {
      upstream: this.name,
      method: 'POST',
      path: '',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      idempotent: !request.mutation,
      ctx: request.ctx,
      operationName: request.operationName,
      readBody: this.#readAnswer,
    });
    return value;
  }

  /** Run by the pipeline inside the call: a body that is not a GraphQL answer fails the call there. */
  readonly #readAnswer: BodyReader<RawAnswer> = (answer) => new RawAnswer(this.name, answer.statusCode, answer.text);
}

/** A shared call's outcome, with the request it ran under. */
type SharedCall = { readonly ctx: RequestContext; readonly raw: RawAnswer } | { readonly ctx: RequestContext; readonly error: unknown };

/**
 * A subgraph's answer as the pipeline read it: parsed once, inside the call, and its text
 * kept, because callers sharing one call each need a copy of their own (merging writes
 * into what it parsed): the first takes the parsed one, any other parses the text again.
 */
class RawAnswer {
  #parsed: SubgraphAnswer | undefined;

  constructor(
    private readonly upstream: string,
    private readonly status: number,
    private readonly text: string,
  ) {
    this.#parsed = subgraphAnswer(upstream, status, text);
  }

  take(): SubgraphAnswer {
    const parsed = this.#parsed;
    this.#parsed = undefined;
    return parsed ?? subgraphAnswer(this.upstream, this.status, this.text);
  }
}

function subgraphAnswer(upstream: string, status: number, text: string): SubgraphAnswer {
  const { data, errors } = parseGraphQLAnswer(upstream, status, text);
  return { ...(data === undefined ? {} : { data }), ...(errors ? { errors } : {}) };
}
