import { createSecretKey } from 'node:crypto';
import { ConfigError } from '../config/load.ts';
import type { IdentitySigningConfig } from './config.ts';
import { devKeyIds } from './key-list.ts';
import { signatureHeaders, type SignInput } from './protocol.ts';

export interface RequestSigner {
  readonly keyId: string;
  /** The signature headers for one upstream request (the timestamp is now). */
  sign(request: Omit<SignInput, 'keyId' | 'key' | 'timestampSec'>): Record<string, string>;
}

export interface SignerOptions {
  env?: NodeJS.ProcessEnv;
  /** Epoch ms (tests). Default the real clock. */
  now?: () => number;
}

/**
 * Built once at start-up: the key object is made here, not per call. The public dev key is
 * refused when NODE_ENV=production, as the dev identity provider is (auth.devKeys): a
 * deployment that forgot to configure keys stops at start-up instead of signing with a
 * secret everyone has.
 */
export function createRequestSigner(config: IdentitySigningConfig, options: SignerOptions = {}): RequestSigner {
  const env = options.env ?? process.env;
  const dev = devKeyIds(config.keys);
  if (env.NODE_ENV === 'production' && dev.length > 0) {
    throw new ConfigError([
      `identitySigning.keys: ${dev.map((id) => `"${id}"`).join(', ')} is the public dev key, refused when NODE_ENV=production; ` +
        'set IDENTITY_SIGNING_KEYS (or identitySigning.keys) to your own secrets (e.g. `openssl rand -base64 48`) and IDENTITY_SIGNING_KEY_ID to the one to sign with',
    ]);
  }
  const secret = config.keys[config.keyId];
  if (secret === undefined) throw new ConfigError([`identitySigning.keyId: "${config.keyId}" is not one of identitySigning.keys`]);
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const keyId = config.keyId;
  const now = options.now ?? Date.now;
  const signer: RequestSigner = {
    keyId,
    // Fields named one by one: a spread here made every call's input a new object shape,
    // which tripled the cost of a signature (test/bench/hmac-cost.ts).
    sign: (request) =>
      signatureHeaders({
        keyId,
        key,
        method: request.method,
        path: request.path,
        body: request.body,
        headers: request.headers,
        timestampSec: Math.floor(now() / 1000),
      }),
  };
  return Object.freeze(signer);
}
