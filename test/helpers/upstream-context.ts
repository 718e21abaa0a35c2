import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ClientGone, DeadlineExceeded, NO_HEADER_RULES, type Door, type HeaderVary, type RequestContext } from '../../gateway/context/request-context.ts';
import { ANONYMOUS, type Principal } from '../../gateway/context/principal.ts';
import { createLogger } from '../../gateway/telemetry/logger.ts';

export interface TestContextOptions {
  /** Inbound deadline from now. Default 10 s. */
  deadlineMs?: number;
  principal?: Principal;
  door?: Door;
  clientName?: string;
  requestId?: string;
  traceparent?: string;
  tracestate?: string;
  /** The client's request headers (what header rules propagate). Default none. */
  requestHeaders?: IncomingHttpHeaders;
  /** The compiled header rules the context carries (the engine's dedup key reads them). Default none. */
  headerRules?: HeaderVary;
}

export interface TestContext {
  readonly ctx: RequestContext;
  /** The client goes away (what the edge does when the response closes early). */
  disconnect(): void;
  /** Clears the deadline timer. */
  dispose(): void;
}

/**
 * A RequestContext as the edge builds it (deadline timer aborting with DeadlineExceeded,
 * client disconnect aborting with ClientGone), without an HTTP exchange: for tests that
 * drive an upstream pipeline directly.
 */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const controller = new AbortController();
  const startedAt = Date.now();
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded()), deadlineMs);
  timer.unref();
  const ctx: RequestContext = {
    requestId: options.requestId ?? randomUUID(),
    door: options.door ?? 'rest',
    clientName: options.clientName,
    clientVersion: undefined,
    client: undefined,
    principal: options.principal ?? ANONYMOUS,
    route: undefined,
    deadline: startedAt + deadlineMs,
    signal: controller.signal,
    clientIp: '127.0.0.1',
    traceparent: options.traceparent,
    tracestate: options.tracestate,
    requestHeaders: options.requestHeaders ?? {},
    headerRules: options.headerRules ?? NO_HEADER_RULES,
    log: createLogger('silent'),
    startedAt,
  };
  return {
    ctx,
    disconnect: () => controller.abort(new ClientGone()),
    dispose: () => clearTimeout(timer),
  };
}
