import type { IncomingMessage } from 'node:http';
import { UNSIGNED_BODY, bodyDigest } from '../../gateway/identity-signing/protocol.ts';

/**
 * A REST service verifies the signature before routing, when the body is still unread; if
 * the gateway signed a digest of it, the digest waits here until readJson has the body.
 * Weak, so a request that never reads its body leaves nothing behind.
 */
const expected = new WeakMap<IncomingMessage, string>();

/** `digest` as the gateway signed it; `unsigned` (a streamed body) expects nothing. */
export function expectBodyDigest(req: IncomingMessage, digest: string): void {
  if (digest !== UNSIGNED_BODY) expected.set(req, digest);
}

/** False only when a digest was signed and `body` is not what it was taken of. */
export function bodyMatchesSignature(req: IncomingMessage, body: Uint8Array): boolean {
  const digest = expected.get(req);
  return digest === undefined || digest === bodyDigest(body);
}
