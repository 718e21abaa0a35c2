import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

export interface ServedSubgraph {
  readonly name: string;
  /** `http://127.0.0.1:<port>/graphql` */
  readonly url: string;
  /** POST /graphql requests received since start. */
  requests(): number;
  /** The bodies of the last `n` requests (at most RECENT_BODIES), oldest first. */
  recent(n: number): string[];
  close(): Promise<void>;
}

/** Documents kept parsed and validated; the workload sends a handful of distinct ones. */
const DOCUMENT_CACHE_MAX = 256;
/** Request bodies kept for replay (`GET /__requests?recent=N`): a ring, so it cannot grow. */
const RECENT_BODIES = 64;
const BODY_LIMIT_BYTES = 4 * 1_048_576;

interface GraphQLBody {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
}

/**
 * One workload subgraph on a free loopback port: `buildSubgraphSchema` over its SDL, executed
 * with graphql-js directly (no Apollo Server around it: the bench measures gateways, so the
 * subgraphs should cost as little as we can make them). Routes:
 *  - `POST /graphql`, counted;
 *  - `GET /__requests[?recent=N]`: `{ subgraph, requests, recent? }`;
 *  - `GET /health`.
 */
export async function serveWorkloadSubgraph(name: string, sdl: string, resolvers: GraphQLResolverMap<unknown>, host = '127.0.0.1'): Promise<ServedSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]);
  const documents = new Map<string, DocumentNode | Error>();
  let requests = 0;
  const ring: string[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: [{ message: String((error as Error)?.message ?? error) }] });
      else res.destroy();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://workload');
    if (url.pathname === '/graphql' && req.method === 'POST') {
      requests++;
      const raw = await readBody(req);
      if (ring.length === RECENT_BODIES) ring.shift();
      ring.push(raw);
      return send(res, 200, await run(schema, documents, raw));
    }
    if (url.pathname === '/__requests' && req.method === 'GET') {
      const n = Number(url.searchParams.get('recent') ?? 0);
      return send(res, 200, { subgraph: name, requests, ...(n > 0 ? { recent: ring.slice(-n) } : {}) });
    }
    if (url.pathname === '/health' && req.method === 'GET') return send(res, 200, { status: 'ok', subgraph: name });
    send(res, 404, { error: 'NOT_FOUND' });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://${host}:${port}/graphql`,
    requests: () => requests,
    recent: (n) => ring.slice(-Math.min(n, RECENT_BODIES)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function run(schema: GraphQLSchema, documents: Map<string, DocumentNode | Error>, raw: string): unknown {
  let body: GraphQLBody;
  try {
    body = JSON.parse(raw) as GraphQLBody;
  } catch {
    return { errors: [{ message: 'request body is not JSON' }] };
  }
  if (typeof body.query !== 'string') return { errors: [{ message: 'no query' }] };
  let document = documents.get(body.query);
  if (document === undefined) {
    try {
      const parsed = parse(body.query);
      const errors = validate(schema, parsed);
      document = errors.length > 0 ? new Error(errors.map((e) => e.message).join('; ')) : parsed;
    } catch (error) {
      document = error as Error;
    }
    // Clearing when full keeps it bounded; the workload never comes near the bound.
    if (documents.size >= DOCUMENT_CACHE_MAX) documents.clear();
    documents.set(body.query, document);
  }
  if (document instanceof Error) return { errors: [{ message: document.message }] };
  // Synchronous resolvers make this the result itself; awaited anyway by the caller.
  return execute({ schema, document, variableValues: body.variables ?? {}, operationName: body.operationName ?? null });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new Error(`body exceeds ${BODY_LIMIT_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
