import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignatureVerifier } from '../../gateway/identity-signing/verify.ts';
import { checkNoBodyClaim, sendRefusal, verifyRequest } from './gateway-signature.ts';
import { BodyError, sendError } from './json-http.ts';
import { expectBodyDigest } from './signed-body.ts';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Readonly<Record<string, string>>,
  query: URLSearchParams,
) => Promise<void> | void;

export interface Route {
  readonly method: string;
  /** Segments; `:name` captures one segment. */
  readonly path: string;
  readonly handler: RouteHandler;
  /** Answered without the gateway's signature (health checks). Default false. */
  readonly public?: boolean;
}

/**
 * A tiny router for the REST demo services: exact segment matches with `:param`
 * captures, 405 with Allow when the path exists under another method, 404 JSON otherwise,
 * and BodyError (bad JSON, too large) answered as 400/413.
 *
 * Every route but a `public` one needs the gateway's signature (over the request target
 * as received: these services sit at their origin's root), checked before anything else,
 * so an unsigned caller learns nothing, not even which paths exist.
 */
export function router(routes: readonly Route[], verifier: SignatureVerifier): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const compiled = routes.map((r) => ({ ...r, segments: split(r.path) }));
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://service.invalid');
    const segments = split(url.pathname);
    const method = req.method ?? 'GET';
    if (!compiled.some((r) => r.public === true && r.method === method && match(r.segments, segments))) {
      const verified = verifyRequest(verifier, req, req.url ?? '/');
      const checked = verified.ok ? checkNoBodyClaim(verified, req) : verified;
      if (!checked.ok) return sendRefusal(res, checked, 'rest');
      expectBodyDigest(req, checked.bodyDigest);
    }
    const allowed: string[] = [];
    for (const route of compiled) {
      const params = match(route.segments, segments);
      if (!params) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      try {
        await route.handler(req, res, params, url.searchParams);
      } catch (error) {
        if (!(error instanceof BodyError) || res.headersSent) throw error;
        if (error.code === 'SIGNATURE_INVALID') sendRefusal(res, { code: error.code, message: error.message }, 'rest');
        else sendError(res, error.status, error.code, error.message);
      }
      return;
    }
    if (allowed.length > 0) return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`, { allow: allowed.join(', ') });
    sendError(res, 404, 'NOT_FOUND', `no route for ${method} ${url.pathname}`);
  };
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(a);
      } catch {
        return undefined;
      }
    } else if (p !== a) return undefined;
  }
  return params;
}
