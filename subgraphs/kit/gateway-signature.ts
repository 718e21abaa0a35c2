import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseKeyList, devKeyIds } from '../../gateway/identity-signing/key-list.ts';
import { DEV_KEY_ID, DEV_SECRET, EMPTY_BODY_DIGEST, SIGNATURE_ERROR_HEADER, UNSIGNED_BODY, bodyDigest } from '../../gateway/identity-signing/protocol.ts';
import {
  DEFAULT_MAX_SKEW_SEC,
  createSignatureVerifier,
  type SignatureErrorCode,
  type SignatureVerifier,
  type Verification,
} from '../../gateway/identity-signing/verify.ts';
import { sendJson } from './json-http.ts';

/**
 * The demo services answer only the gateway: every request but the health (and stats)
 * routes must carry the gateway's signature over its identity headers (protocol.ts), or
 * it is refused with 401 and a stable code. Only then are `x-user-*` believed.
 */

export interface SignatureOptions {
  /** Accepted keys, key id → secret. Default `IDENTITY_SIGNING_KEYS` from the environment, else the dev key. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Default `IDENTITY_SIGNATURE_MAX_SKEW_SEC`, else 30 s. */
  readonly maxSkewSec?: number;
  /** Epoch ms (tests). */
  readonly now?: () => number;
}

/**
 * Built once per service start. As the gateway does, the public dev key is refused when
 * NODE_ENV=production: a service deployed without its keys does not start.
 */
export function createServiceVerifier(options: SignatureOptions = {}, env: NodeJS.ProcessEnv = process.env): SignatureVerifier {
  const keys = options.keys ?? keysFromEnv(env);
  const dev = devKeyIds(keys);
  if (env.NODE_ENV === 'production' && dev.length > 0) {
    throw new Error(
      `IDENTITY_SIGNING_KEYS: key ${dev.map((id) => `"${id}"`).join(', ')} is the public dev key, refused when NODE_ENV=production; set the keys the gateway signs with`,
    );
  }
  const rawSkew = env.IDENTITY_SIGNATURE_MAX_SKEW_SEC;
  const maxSkewSec = options.maxSkewSec ?? (rawSkew === undefined || rawSkew === '' ? DEFAULT_MAX_SKEW_SEC : Number(rawSkew));
  if (!Number.isInteger(maxSkewSec) || maxSkewSec < 1 || maxSkewSec > 3600) {
    throw new Error(`IDENTITY_SIGNATURE_MAX_SKEW_SEC must be an integer from 1 to 3600, got "${String(rawSkew ?? maxSkewSec)}"`);
  }
  return createSignatureVerifier({ keys, maxSkewSec, ...(options.now ? { now: options.now } : {}) });
}

function keysFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = env.IDENTITY_SIGNING_KEYS;
  if (raw === undefined || raw === '') return { [DEV_KEY_ID]: DEV_SECRET };
  const { keys, problems } = parseKeyList(raw);
  if (problems.length > 0) throw new Error(`IDENTITY_SIGNING_KEYS: ${problems.join('; ')}`);
  return keys;
}

/** Verifies `req`, whose path below the service's base path is `path`. */
export function verifyRequest(verifier: SignatureVerifier, req: IncomingMessage, path: string): Verification {
  return verifier.verify({ method: req.method ?? 'GET', path, headers: req.headers });
}

/** A refusal, for a caller that found the body not to be what was signed. */
export function bodyRefusal(message: string): Verification {
  return { ok: false, code: 'SIGNATURE_INVALID', message };
}

/** Does the whole body the service read match the digest the gateway signed? */
export function checkBody(verified: Extract<Verification, { ok: true }>, body: Uint8Array, requireDigest: boolean): Verification {
  if (verified.bodyDigest === UNSIGNED_BODY) return requireDigest ? bodyRefusal('this service needs the body signed') : verified;
  return verified.bodyDigest === bodyDigest(body) ? verified : bodyRefusal('the body is not the one the gateway signed');
}

/**
 * For a service that does not read the body before routing: a signature over "no body"
 * (the gateway's GET, DELETE, …) with a body attached is refused at once.
 */
export function checkNoBodyClaim(verified: Extract<Verification, { ok: true }>, req: IncomingMessage): Verification {
  if (verified.bodyDigest !== EMPTY_BODY_DIGEST) return verified;
  const length = Number(req.headers['content-length'] ?? '0');
  const hasBody = (Number.isFinite(length) && length > 0) || req.headers['transfer-encoding'] !== undefined;
  return hasBody ? bodyRefusal('a body was sent with a signature over none') : verified;
}

export type Refusal = { readonly code: SignatureErrorCode; readonly message: string };

/** 401 in the service's own error shape, with the code also in a header the gateway reads. */
export function sendRefusal(res: ServerResponse, refusal: Refusal, shape: 'graphql' | 'rest'): void {
  const headers = { [SIGNATURE_ERROR_HEADER]: refusal.code, 'www-authenticate': 'GatewaySignature' };
  const body = shape === 'graphql' ? { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] } : { error: refusal.code, message: refusal.message };
  sendJson(res, 401, body, headers);
}
