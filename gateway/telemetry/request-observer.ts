import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import type { RequestContext } from '../context/request-context.ts';
import { USER_AGENT_MAX, writeAccessLog } from './access-log.ts';
import type { GatewayMetrics } from './metrics.ts';
import { requestTelemetry } from './request-telemetry.ts';
import { endServerSpan, startServerSpan, traceIdOf } from './server-span.ts';
import { takeWireBytes } from './wire-bytes.ts';
import { pathOf } from '../http/request-url.ts';

/** What the edge does with telemetry for one request. */
export interface RequestObservation {
  /** Runs the request inside its span's context (a plain call when tracing is off). */
  run(fn: () => Promise<void>): Promise<void>;
  /** Once the response has closed: metrics, span end, the access log line. */
  end(errorCode: string | undefined): void;
}

export interface RequestObserver {
  begin(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): RequestObservation;
}

/**
 * Telemetry at the edge: one server span per request (when tracing is on), the request
 * metrics and the access log line, all written from one place when the response closes.
 */
export function createRequestObserver(metrics: GatewayMetrics): RequestObserver {
  return {
    begin(req, res, ctx) {
      const started = performance.now();
      // Held now: node detaches `req.socket` from the request once the exchange is over.
      const socket = req.socket;
      const path = pathOf(req);
      metrics.requestStarted(ctx.door);
      const server = startServerSpan(req, ctx, path);
      const telemetry = requestTelemetry(ctx);
      telemetry.span = server?.span;
      return {
        run: (fn) => (server ? context.with(server.context, fn) : fn()),
        end(errorCode) {
          // A client that left before any answer gets none; nginx logs that as 499.
          const statusCode = errorCode === 'CLIENT_CLOSED_REQUEST' && !res.headersSent ? 499 : res.statusCode;
          const durationMs = performance.now() - started;
          const operation = telemetry.operationName;
          const route = routeLabel(ctx, operation, telemetry.operationType, metrics);
          const method = req.method ?? 'GET';
          const clientName = ctx.client?.name ?? ctx.clientName;
          const clientVersion = ctx.client?.version ?? ctx.clientVersion;
          metrics.requestFinished({
            door: ctx.door,
            route,
            method,
            statusCode,
            durationSeconds: durationMs / 1000,
            client: metrics.clients.value(clientName, 'none'),
            clientVersion: metrics.clientVersions.value(clientVersion, 'none'),
          });
          if (server) {
            endServerSpan(server.span, {
              method,
              statusCode,
              route: spanRoute(ctx, path),
              errorCode,
              attributes: {
                'gateway.route': ctx.route,
                'graphql.operation.name': operation,
                'graphql.operation.type': telemetry.operationType,
                'gateway.upstream.calls': telemetry.upstreamCalls,
              },
            });
          }
          const { bytesIn, bytesOut } = takeWireBytes(socket);
          writeAccessLog(ctx, {
            method,
            path,
            route: ctx.route,
            operation,
            status: statusCode,
            code: errorCode,
            traceId: traceIdOf(server?.span, ctx.traceparent),
            durationMs: Math.round(durationMs * 10) / 10,
            upstreamMs: telemetry.upstreamMs,
            upstreamCalls: telemetry.upstreamCalls,
            bytesIn,
            bytesOut,
            userAgent: req.headers['user-agent']?.slice(0, USER_AGENT_MAX),
          });
        },
      };
    },
  };
}

/**
 * The metrics `route` label: the REST route's configured name; on GraphQL doors the
 * operation name, bounded (see BoundedLabel), prefixed by the BFF client on BFF doors.
 */
function routeLabel(ctx: RequestContext, operation: string | undefined, operationType: string | undefined, metrics: GatewayMetrics): string {
  if (ctx.door === 'rest' || ctx.door === 'ops') return ctx.route ?? 'unmatched';
  const op = metrics.operations.value(operation, operationType ? 'anonymous' : 'none');
  return ctx.door === 'bff' ? `${metrics.bffClients.value(ctx.route ?? ctx.clientName, 'unknown')}:${op}` : op;
}

/** `http.route` and the span name: fixed GraphQL paths as they are, REST by route name, never a raw path. */
function spanRoute(ctx: RequestContext, path: string): string | undefined {
  if (ctx.door === 'graphql' || ctx.door === 'bff') return path;
  return ctx.route ? `/api/v1/{${ctx.route}}` : undefined;
}
