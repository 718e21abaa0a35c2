import type { RequestContext } from '../context/request-context.ts';

export interface AccessLogLine {
  readonly method: string | undefined;
  /** Without the query string: queries can carry tokens (`?access_token=`). */
  readonly path: string | undefined;
  /** REST route name, or the GraphQL operation name as sent. */
  readonly route: string | undefined;
  readonly operation: string | undefined;
  readonly status: number;
  readonly code: string | undefined;
  readonly traceId: string | undefined;
  readonly durationMs: number;
  readonly upstreamMs: number;
  readonly upstreamCalls: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** As the client sent it, cut to `USER_AGENT_MAX` characters: a log line is not a place for 8 KB headers. */
  readonly userAgent: string | undefined;
}

export const USER_AGENT_MAX = 256;

/**
 * One line per request, at info, after the response closed. The request id comes from
 * the context's logger. Who called is named by identity (subject, consumer name), never
 * by credential: no header, token, key or body is ever part of this line.
 */
export function writeAccessLog(ctx: RequestContext, line: AccessLogLine): void {
  const p = ctx.principal;
  ctx.log.info(
    {
      door: ctx.door,
      // The app as the GraphQL door decided it (token claims over headers), else the edge's name for it.
      client: ctx.client?.name ?? ctx.clientName,
      clientVersion: ctx.client?.version ?? ctx.clientVersion,
      // The address rate limits and abuse reports go by (the trusted-proxy rules decided it).
      clientIp: ctx.clientIp,
      userAgent: line.userAgent,
      method: line.method,
      path: line.path,
      route: line.route,
      operation: line.operation,
      status: line.status,
      code: line.code,
      principal: p.kind === 'user' ? p.subject : p.kind === 'consumer' ? p.consumer : undefined,
      principalKind: p.kind,
      traceId: line.traceId,
      durationMs: line.durationMs,
      upstreamMs: Math.round(line.upstreamMs * 10) / 10,
      upstreamCalls: line.upstreamCalls,
      bytesIn: line.bytesIn,
      bytesOut: line.bytesOut,
    },
    'request',
  );
}
