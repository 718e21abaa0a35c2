import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One call that went through the proxy, with its place in the order of events. */
export interface ProxiedCall {
  /** The upstream's name (the first path segment of the proxied URL). */
  readonly upstream: string;
  readonly method: string;
  /** Path and query as sent to the upstream. */
  readonly path: string;
  /** `operationName` of a GraphQL body (the query planner names subgraph fetches `<Op>__<subgraph>__<n>`). */
  readonly operationName: string | undefined;
  /** The body as received (GraphQL fetches are small JSON). */
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
  /**
   * Order of events across every call: each arrival and each completed response takes the
   * next number. "a started before b ended" is `a.startSeq < b.endSeq`, with no clock.
   */
  readonly startSeq: number;
  endSeq: number | undefined;
  status: number | undefined;
}

/** Hold matching calls (before forwarding them) until `until` is true of the calls so far, or `timeoutMs`. */
export interface HoldRule {
  readonly match: (call: ProxiedCall) => boolean;
  readonly until: (calls: readonly ProxiedCall[]) => boolean;
  readonly timeoutMs: number;
}

/** Answer matching calls with `status` instead of forwarding them, at most `times` times. */
export interface FailRule {
  readonly match: (call: ProxiedCall) => boolean;
  readonly status: number;
  times: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly calls: ProxiedCall[];
  /** Where to point a client at `name` (same path as the target's URL, through the proxy). */
  urlFor(name: string): string;
  hold(rule: HoldRule): void;
  fail(rule: Omit<FailRule, 'times'> & { times?: number }): void;
  /** Forget calls and rules. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A real loopback HTTP proxy in front of named upstreams (`/<name>/<path>` → the target
 * `<name>`), recording the start and end of every call in one event order. Tests use it
 * to prove overlap and sequence without timing assertions: a hold rule keeps a call from
 * going upstream until the calls it should overlap with have arrived (bounded), so
 * concurrent code shows overlap every run and sequential code never can.
 */
export async function startRecordingProxy(targets: Readonly<Record<string, string>>): Promise<RecordingProxy> {
  const calls: ProxiedCall[] = [];
  let holds: HoldRule[] = [];
  let fails: FailRule[] = [];
  let seq = 0;
  const waiters = new Set<() => void>();
  const wakeAll = (): void => {
    for (const wake of [...waiters]) wake();
  };
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const parsedTargets = new Map(Object.entries(targets).map(([name, url]) => [name, new URL(url)]));

  const waitFor = (rule: HoldRule): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (rule.until(calls)) done();
      };
      const timer = setTimeout(done, rule.timeoutMs);
      waiters.add(check);
      check();
    });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const slash = url.indexOf('/', 1);
    const name = decodeURIComponent(slash > 0 ? url.slice(1, slash) : url.slice(1).split('?')[0] ?? '');
    const target = parsedTargets.get(name);
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`proxy: no upstream "${name}"`);
      return;
    }
    const path = slash > 0 ? url.slice(slash) : '/';
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const call: ProxiedCall = {
      upstream: name,
      method: req.method ?? 'GET',
      path,
      operationName: operationNameOf(body),
      body: body.toString('utf8'),
      headers: req.headers,
      startSeq: ++seq,
      endSeq: undefined,
      status: undefined,
    };
    calls.push(call);
    res.once('close', () => {
      call.endSeq = ++seq;
      wakeAll();
    });
    wakeAll();

    for (const rule of holds.filter((h) => h.match(call))) await waitFor(rule);
    const failure = fails.find((f) => f.times > 0 && f.match(call));
    if (failure) {
      failure.times--;
      call.status = failure.status;
      res.writeHead(failure.status, { 'content-type': 'text/plain' }).end('proxy: injected failure');
      return;
    }

    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        { agent, protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path, headers },
        (upRes) => {
          call.status = upRes.statusCode;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          upRes.once('end', resolve);
          upRes.once('error', reject);
        },
      );
      upstream.once('error', reject);
      upstream.end(body);
    });
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    calls,
    urlFor: (name) => {
      const target = parsedTargets.get(name);
      if (!target) throw new Error(`proxy: no upstream "${name}"`);
      return `${origin}/${encodeURIComponent(name)}${target.pathname === '/' ? '' : target.pathname}`;
    },
    hold: (rule) => void holds.push(rule),
    fail: (rule) => void fails.push({ ...rule, times: rule.times ?? 1 }),
    reset: () => {
      calls.length = 0;
      holds = [];
      fails = [];
      wakeAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        holds = [];
        wakeAll();
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

function operationNameOf(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const name = parsed !== null && typeof parsed === 'object' ? (parsed as { operationName?: unknown }).operationName : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
