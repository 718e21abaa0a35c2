import { createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import {
  BODY_DIGEST_HEADER,
  KEY_ID_HEADER,
  KEY_ID_PATTERN,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  computeSignature,
  type HeaderValue,
} from './protocol.ts';

/**
 * The upstream side of protocol.ts: is this request signed by the gateway, recently, over
 * exactly these identity headers, method and path? The subgraph kit wires it into its
 * servers (subgraphs/kit/gateway-signature.ts); an upstream of another team can use it as
 * it is, or port its thirty lines.
 */

/** Stable codes of a refused request (the kit answers 401 with them). */
export type SignatureErrorCode =
  /** No signature at all: not a call from the gateway. */
  | 'SIGNATURE_REQUIRED'
  /** A signature that does not verify: forged, altered, an unknown key id, malformed. */
  | 'SIGNATURE_INVALID'
  /** A valid signature whose timestamp is outside the skew window: a replay, or a clock off. */
  | 'SIGNATURE_EXPIRED';

export type Verification =
  | {
      readonly ok: true;
      readonly keyId: string;
      /** The body digest the gateway signed: `sha256=…`, or `unsigned` for a streamed body. */
      readonly bodyDigest: string;
    }
  | { readonly ok: false; readonly code: SignatureErrorCode; readonly message: string };

export interface VerifierOptions {
  /** Accepted keys, key id → secret: during a rotation both the old and the new key. */
  readonly keys: Readonly<Record<string, string>>;
  /** How far a timestamp may be from this clock, either way. Default 30 s. */
  readonly maxSkewSec?: number;
  /** Epoch ms (tests). Default the real clock. */
  readonly now?: () => number;
}

export interface SignedRequestView {
  readonly method: string;
  /** Path and query below the service's own base path (`''` for a subgraph's `/graphql`). */
  readonly path: string;
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

export interface SignatureVerifier {
  readonly keyIds: readonly string[];
  verify(req: SignedRequestView): Verification;
}

export const DEFAULT_MAX_SKEW_SEC = 30;
const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v1=[A-Za-z0-9_-]{43}$/;

export function createSignatureVerifier(options: VerifierOptions): SignatureVerifier {
  const keys = new Map<string, KeyObject>();
  for (const [id, secret] of Object.entries(options.keys)) keys.set(id, createSecretKey(Buffer.from(secret, 'utf8')));
  if (keys.size === 0) throw new Error('a signature verifier needs at least one key');
  const maxSkewSec = options.maxSkewSec ?? DEFAULT_MAX_SKEW_SEC;
  const now = options.now ?? Date.now;

  return Object.freeze({
    keyIds: Object.freeze([...keys.keys()]),
    verify(req: SignedRequestView): Verification {
      const signature = single(req.headers[SIGNATURE_HEADER]);
      const keyId = single(req.headers[KEY_ID_HEADER]);
      const timestamp = single(req.headers[TIMESTAMP_HEADER]);
      const digest = single(req.headers[BODY_DIGEST_HEADER]);
      if (signature === undefined && keyId === undefined && timestamp === undefined) {
        return refuse('SIGNATURE_REQUIRED', 'this service only answers requests signed by the gateway');
      }
      if (signature === undefined || keyId === undefined || timestamp === undefined || digest === undefined) {
        return refuse('SIGNATURE_INVALID', 'the gateway signature is incomplete');
      }
      if (!SIGNATURE.test(signature) || !TIMESTAMP.test(timestamp) || !KEY_ID_PATTERN.test(keyId)) {
        return refuse('SIGNATURE_INVALID', 'the gateway signature is malformed');
      }
      const key = keys.get(keyId);
      if (!key) return refuse('SIGNATURE_INVALID', `key id "${keyId}" is not accepted here`);
      const expected = computeSignature(key, { keyId, timestamp, method: req.method, path: req.path, bodyDigest: digest, headers: req.headers });
      // Both are `v1=` + 43 characters (checked above), so the lengths match.
      if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
        return refuse('SIGNATURE_INVALID', 'the gateway signature does not match the request');
      }
      // Checked after the signature, so a forged timestamp is "invalid", not "expired".
      const skewSec = Math.abs(now() / 1000 - Number(timestamp));
      if (skewSec > maxSkewSec) {
        return refuse('SIGNATURE_EXPIRED', `the gateway signature is ${Math.round(skewSec)} s from this service's clock (at most ${maxSkewSec} s)`);
      }
      return { ok: true, keyId, bodyDigest: digest };
    },
  });
}

function refuse(code: SignatureErrorCode, message: string): Verification {
  return { ok: false, code, message };
}

/** A signature header sent twice is not ours. */
function single(value: HeaderValue): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
