import { randomUUID } from 'node:crypto';
import { ClientGone, DeadlineExceeded, type Door, type RequestContext } from '../../gateway/context/request-context.ts';
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
    principal: options.principal ?? ANONYMOUS,
    route: undefined,
    deadline: startedAt + deadlineMs,
    signal: controller.signal,
    clientIp: '127.0.0.1',
    traceparent: options.traceparent,
    tracestate: options.tracestate,
    log: createLogger('silent'),
    startedAt,
  };
  return {
    ctx,
    disconnect: () => controller.abort(new ClientGone()),
    dispose: () => clearTimeout(timer),
  };
}
