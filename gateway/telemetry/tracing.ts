import { ProxyTracerProvider, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Tracing on or off for the whole process (the OpenTelemetry API is process-global).
 *
 * Off unless an exporter is configured the standard way: `OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or an explicit `OTEL_TRACES_EXPORTER` other than
 * `none`; `OTEL_SDK_DISABLED=true` always wins. When off the SDK is not even loaded: the
 * API stays a no-op and every span helper returns at a boolean check.
 *
 * Everything else (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_EXPORTER_OTLP_PROTOCOL`,
 * `OTEL_BSP_*`, `OTEL_PROPAGATORS`) is read by the SDK itself.
 *
 * No auto-instrumentation is used (we create our spans, and @apollo/gateway creates its
 * own through the API), so nothing has to be loaded before other modules: a tracer
 * obtained before `startTracing` is a proxy that finds the real provider at span time.
 */

export interface TracingOptions {
  /** Read to decide whether to start (the SDK itself reads `process.env`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Tests: export through these instead of what env configures (starts regardless of env). */
  spanProcessors?: SpanProcessor[];
  /** `service.name` when `OTEL_SERVICE_NAME` is not set. Default `bff-gateway`. */
  serviceName?: string;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Flushes pending spans and unregisters the SDK (a later `startTracing` may register again). */
  shutdown(): Promise<void>;
}

const TRACER_NAME = 'bff-gateway';
let active = false;
let started = false;
let cachedTracer: Tracer | undefined;

/** Whether spans are being recorded in this process: the hot path's one check. */
export function isTracingActive(): boolean {
  return active;
}

/** Our tracer (valid only while tracing is active; callers check `isTracingActive()` first). */
export function tracer(): Tracer {
  cachedTracer ??= trace.getTracer(TRACER_NAME);
  return cachedTracer;
}

export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (isTrue(env.OTEL_SDK_DISABLED)) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export async function startTracing(options: TracingOptions = {}): Promise<Tracing> {
  const env = options.env ?? process.env;
  if (started) throw new Error('tracing is already started in this process');
  if (!options.spanProcessors && !tracingWanted(env)) return { enabled: false, shutdown: async () => {} };
  started = true;

  // Loaded only when tracing is on: the SDK and its exporters are a lot of code to parse.
  const { NodeSDK, core } = await import('@opentelemetry/sdk-node');

  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : (options.serviceName ?? 'bff-gateway'),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors, autoDetectResources: false } : {}),
    // Traces only: metrics are Prometheus (prom-client), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    // Trace context only, unless OTEL_PROPAGATORS says otherwise: a client's `baggage`
    // is untrusted input and is not forwarded to upstreams by default.
    textMapPropagator: env.OTEL_PROPAGATORS ? undefined : new core.W3CTraceContextPropagator(),
  });
  sdk.start();
  active = isRegistered();
  cachedTracer = undefined;
  let stopped = false;
  return {
    enabled: active,
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      active = false;
      try {
        await sdk.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
        cachedTracer = undefined;
        started = false;
      }
    },
  };
}

/**
 * The SDK registers a provider only when it built at least one span processor (an unknown
 * `OTEL_TRACES_EXPORTER` leaves none). Unregistered, the global proxy still delegates to
 * the API's no-op provider, the same object a fresh proxy hands out.
 */
function isRegistered(): boolean {
  const global = trace.getTracerProvider();
  return global instanceof ProxyTracerProvider && global.getDelegate() !== new ProxyTracerProvider().getDelegate();
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}
