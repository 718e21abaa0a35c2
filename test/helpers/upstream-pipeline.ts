import { loadConfig, type GatewayConfigInput } from '../../gateway/config/index.ts';
import { createLogger } from '../../gateway/telemetry/logger.ts';
import { UpstreamRegistry, targetFromUrl } from '../../gateway/upstream/registry.ts';
import type { Pipeline } from '../../gateway/upstream/pipeline.ts';
import type {
  BreakerStateChange,
  UpstreamCallEvent,
  UpstreamEvents,
  UpstreamKind,
  UpstreamRequest,
  UpstreamResponse,
} from '../../gateway/upstream/types.ts';
import { createTestContext, type TestContextOptions } from './upstream-context.ts';

type PolicyInput = NonNullable<GatewayConfigInput['upstreamDefaults']>;

export interface TestPipeline {
  readonly pipeline: Pipeline;
  readonly registry: UpstreamRegistry;
  /** Everything the pipeline reported, in order. */
  readonly breakerChanges: Array<BreakerStateChange & { at: number }>;
  readonly retries: Array<{ upstream: string; attempt: number; reason: string }>;
  readonly calls: UpstreamCallEvent[];
  /** One logical call with a fresh context; the response body is read to the end. */
  send(req?: Partial<Omit<UpstreamRequest, 'ctx'>>, ctx?: TestContextOptions): Promise<{ statusCode: number; body: string; res: UpstreamResponse }>;
  /** Like `send` but resolves to the error code (or `status <n>`), never rejects. */
  outcome(req?: Partial<Omit<UpstreamRequest, 'ctx'>>, ctx?: TestContextOptions): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real upstream pipeline (the registry's, with undici pools) for `targets`, with
 * `policy` over the defaults, exactly as the gateway builds it from config.
 */
export function createTestPipeline(
  targets: readonly string[],
  policy: PolicyInput = {},
  options: { name?: string; kind?: UpstreamKind; events?: UpstreamEvents } = {},
): TestPipeline {
  const name = options.name ?? 'svc';
  const config = loadConfig({ env: {}, overrides: { log: { level: 'silent' }, upstreams: { [name]: policy as Record<string, unknown> } } });
  const breakerChanges: TestPipeline['breakerChanges'] = [];
  const retries: TestPipeline['retries'] = [];
  const calls: UpstreamCallEvent[] = [];
  const events: UpstreamEvents = {
    onBreakerStateChange: (e) => {
      breakerChanges.push({ ...e, at: performance.now() });
      options.events?.onBreakerStateChange?.(e);
    },
    onRetry: (e) => {
      retries.push(e);
      options.events?.onRetry?.(e);
    },
    onCall: (e) => {
      calls.push(e);
      options.events?.onCall?.(e);
    },
  };
  const registry = new UpstreamRegistry(config, events, createLogger('silent'));
  const pipeline = registry.pipeline(name, options.kind ?? 'rest', targets.map((t) => targetFromUrl(t)));

  const send: TestPipeline['send'] = async (req = {}, ctxOptions = {}) => {
    const { ctx, dispose } = createTestContext(ctxOptions);
    try {
      const res = await pipeline.call({ upstream: name, method: 'GET', path: '/', headers: {}, body: null, idempotent: true, ...req, ctx });
      const body = await res.body.text();
      return { statusCode: res.statusCode, body, res };
    } finally {
      dispose();
    }
  };
  const outcome: TestPipeline['outcome'] = async (req, ctxOptions) => {
    try {
      const { statusCode } = await send(req, ctxOptions);
      return `status ${statusCode}`;
    } catch (error) {
      return errorCode(error);
    }
  };
  return { pipeline, registry, breakerChanges, retries, calls, send, outcome, close: () => registry.close() };
}

/** The stable code of a gateway error, or the error's name for anything else. */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : String(error);
}

/** Polls `check` until it holds (a bound, not an assertion on timing). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, limitMs = 5_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
