import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { DEFAULT_AUDIENCE } from '../../gateway/auth/config.ts';
import { startHttpService } from '../kit/http-service.ts';
import { BodyError, parseJson, readBody, sendError, sendJson } from '../kit/json-http.ts';
import type { RunningRestService } from '../kit/running-service.ts';
import { formToRequest, parseTokenRequest, TokenRequestError, type TokenRequest } from './token-request.ts';

/**
 * A DEMO identity provider for the docker-compose stack: it signs a token for whoever asks,
 * with whatever subject, tier and roles they ask for. It exists so the stack can run the
 * gateway as production does (a remote JWKS, issuer and audience checked, no dev keys)
 * with nothing outside it. Never put it in front of real users: a real IdP authenticates
 * the caller before minting anything.
 *
 * One ES256 key pair per start, held in memory only (nothing is written, so it runs on a
 * read-only file system); a restart means new keys, and tokens of the old ones stop
 * verifying once the gateway refetches the JWKS.
 */

export const DEV_IDP_DEFAULT_PORT = 4020;
/** `iss` of its tokens unless `DEV_IDP_ISSUER` says otherwise. */
export const DEV_IDP_DEFAULT_ISSUER = 'bff-gateway-demo-idp';
export const JWKS_PATH = '/.well-known/jwks.json';
export const TOKEN_PATH = '/token';

const ALG = 'ES256';
const FORM = 'application/x-www-form-urlencoded';
/** A token request is a few claims; anything bigger is not one. */
const BODY_LIMIT_BYTES = 16 * 1024;

export interface DevIdpOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Default 4020. */
  port?: number;
  /** Default `bff-gateway-demo-idp`. */
  issuer?: string;
  /** Default `bff-gateway` (the gateway's default `auth.audience`). */
  audience?: string;
}

export interface RunningDevIdp extends RunningRestService {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  /** Signs a token as `POST /token` would (tests). */
  mint(request: Partial<TokenRequest> & { sub: string }): Promise<string>;
}

export async function startDevIdp(options: DevIdpOptions = {}): Promise<RunningDevIdp> {
  const issuer = options.issuer ?? DEV_IDP_DEFAULT_ISSUER;
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const { publicKey, privateKey } = await generateKeyPair(ALG);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks: JSONWebKeySet = { keys: [{ ...publicJwk, kid, alg: ALG, use: 'sig' } satisfies JWK] };
  const jwksText = JSON.stringify(jwks);

  const mint = (request: TokenRequest): Promise<string> => {
    const claims: Record<string, unknown> = {};
    if (request.tier !== undefined) claims.tier = request.tier;
    if (request.roles.length > 0) claims.roles = request.roles;
    if (request.scopes.length > 0) claims.scope = request.scopes.join(' ');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + request.ttl)
      .setJti(randomUUID())
      .sign(privateKey);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://idp.invalid').pathname;
    const method = req.method ?? 'GET';
    const route = ROUTES[path];
    if (!route) return sendError(res, 404, 'NOT_FOUND', `no route for ${method} ${path.slice(0, 256)}`);
    if (!route.includes(method)) return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method.slice(0, 16)} is not allowed on ${path}`, { allow: route.join(', ') });
    if (path === '/health') return sendJson(res, 200, { status: 'ok', service: 'dev-idp' });
    if (path === JWKS_PATH) {
      const headers = { 'content-type': 'application/jwk-set+json', 'content-length': String(Buffer.byteLength(jwksText)), 'cache-control': 'public, max-age=60' };
      // node:http drops the body of a HEAD answer itself.
      res.writeHead(200, headers).end(jwksText);
      return;
    }
    await sendToken(req, res, mint);
  };

  const http = await startHttpService({ host: options.host, port: options.port ?? DEV_IDP_DEFAULT_PORT }, handle);
  return {
    name: 'dev-idp',
    kind: 'rest',
    url: http.origin,
    port: http.port,
    close: http.close,
    issuer,
    audience,
    jwksUrl: `${http.origin}${JWKS_PATH}`,
    tokenUrl: `${http.origin}${TOKEN_PATH}`,
    mint: (request) => mint(parseTokenRequest(request)),
  };
}

const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/health': ['GET', 'HEAD'],
  [JWKS_PATH]: ['GET', 'HEAD'],
  [TOKEN_PATH]: ['POST'],
};

/**
 * `POST /token`: the token as OAuth 2 shapes a token response (RFC 6749 §5.1, `no-store`),
 * or the bare JWT for `Accept: application/jwt` (RFC 7519's media type), which is what a
 * shell wants in `TOKEN=$(curl …)`.
 */
async function sendToken(req: IncomingMessage, res: ServerResponse, mint: (r: TokenRequest) => Promise<string>): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && type !== FORM) {
    return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `send the token request as application/json or ${FORM} (curl -d)`, { accept: `application/json, ${FORM}`, connection: 'close' });
  }
  let request: TokenRequest;
  try {
    const body = await readBody(req, BODY_LIMIT_BYTES);
    request = parseTokenRequest(type === FORM ? formToRequest(new URLSearchParams(body.toString('utf8'))) : parseJson(body));
  } catch (error) {
    if (error instanceof TokenRequestError) return sendError(res, 400, error.code, error.message);
    if (error instanceof BodyError) return sendError(res, error.status, error.code, error.message, error.status === 413 ? { connection: 'close' } : {});
    throw error;
  }
  const token = await mint(request);
  const noStore = { 'cache-control': 'no-store' };
  if (acceptsJwt(req.headers.accept)) {
    res.writeHead(200, { ...noStore, 'content-type': 'application/jwt', 'content-length': String(Buffer.byteLength(token)) }).end(token);
    return;
  }
  sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: request.ttl }, noStore);
}

function acceptsJwt(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === 'application/jwt');
}
