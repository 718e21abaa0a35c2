import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from './config.ts';

/**
 * The embedded dev identity provider: one ES256 key pair per checkout, generated on first
 * use and kept in `node_modules/.cache/bff-gateway/dev-identity.json`. The gateway
 * (`npm start`, with `auth.devKeys`) trusts its public key and `npm run token` signs with
 * its private key; both find the file from this module's own location, so they agree
 * without any setup, and a fresh clone gets a fresh key (it is never committed).
 *
 * Never used in production: loading it throws when NODE_ENV=production, and the gateway
 * only loads it when `auth.devKeys` is true.
 */

export const DEFAULT_DEV_KEY_FILE = fileURLToPath(
  new URL('../../node_modules/.cache/bff-gateway/dev-identity.json', import.meta.url),
);

/** Where the lead may serve `devJwksDocument()` (e.g. for subgraphs that verify tokens themselves). */
export const DEV_JWKS_PATH = '/.well-known/dev-jwks.json';

const DEV_ALG = 'ES256';

export interface DevTokenOptions {
  sub: string;
  scopes?: readonly string[];
  roles?: readonly string[];
  /** Rate-limit tier claim. Default: none (the verifier then assumes `standard`). */
  tier?: string;
  /** Lifetime: seconds, or a jose time span (`"15m"`, `"1h"`, `"7d"`). Default `"1h"`. */
  expiresIn?: number | string;
  /** Default `bff-gateway`. */
  audience?: string | string[];
  /** Default `bff-gateway-dev`. */
  issuer?: string;
  /** Extra claims (they never override the ones above). */
  claims?: Record<string, unknown>;
}

export interface DevIdentity {
  readonly kid: string;
  readonly alg: typeof DEV_ALG;
  /** The public key set (no private members). */
  jwks(): JSONWebKeySet;
  sign(options: DevTokenOptions): Promise<string>;
}

interface StoredIdentity {
  version: 1;
  alg: typeof DEV_ALG;
  kid: string;
  privateJwk: JsonWebKey;
}

const loaded = new Map<string, DevIdentity>();

/** The dev identity stored in `file`, generated there on first use. Memoized per file. */
export function loadDevIdentity(file: string = DEFAULT_DEV_KEY_FILE): DevIdentity {
  if (process.env.NODE_ENV === 'production') {
    throw new Error('the dev identity provider is disabled when NODE_ENV=production; set auth.devKeys=false and configure auth.jwks');
  }
  let identity = loaded.get(file);
  if (!identity) {
    identity = fromStored(readOrCreate(file), file);
    loaded.set(file, identity);
  }
  return identity;
}

/** The dev public JWKS (generating the key on first use). */
export function devJwks(file?: string): JSONWebKeySet {
  return loadDevIdentity(file).jwks();
}

/** A token signed by the dev identity provider, accepted by a gateway with `auth.devKeys`. */
export function signDevToken(options: DevTokenOptions, file?: string): Promise<string> {
  return loadDevIdentity(file).sign(options);
}

/** The dev JWKS as an HTTP response, for the lead to mount at `DEV_JWKS_PATH` when devKeys is on. */
export function devJwksDocument(file?: string): { status: 200; headers: Record<string, string>; body: string } {
  return {
    status: 200,
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify(devJwks(file)),
  };
}

function fromStored(stored: StoredIdentity, file: string): DevIdentity {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: stored.privateJwk, format: 'jwk' });
  } catch (cause) {
    throw new Error(`dev identity key in ${file} is unusable; delete the file to generate a new one`, { cause });
  }
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk: JWK = { kty, crv, x, y, kid: stored.kid, alg: DEV_ALG, use: 'sig' };
  const jwks = (): JSONWebKeySet => ({ keys: [{ ...publicJwk }] });

  return Object.freeze({
    kid: stored.kid,
    alg: DEV_ALG,
    jwks,
    async sign(options: DevTokenOptions): Promise<string> {
      const claims: Record<string, unknown> = { ...options.claims };
      if (options.scopes && options.scopes.length > 0) claims.scope = options.scopes.join(' ');
      if (options.roles && options.roles.length > 0) claims.roles = [...options.roles];
      if (options.tier !== undefined) claims.tier = options.tier;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: DEV_ALG, kid: stored.kid, typ: 'JWT' })
        .setSubject(options.sub)
        .setIssuer(options.issuer ?? DEV_ISSUER)
        .setAudience(options.audience ?? DEFAULT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn === undefined ? '1h' : expiry(options.expiresIn))
        .sign(privateKey);
    },
  });
}

/** jose takes a number as an absolute epoch; ours is a lifetime in seconds. */
function expiry(expiresIn: number | string): number | string {
  return typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn;
}

/**
 * Reads the stored key or creates it. Creation is race-free across processes (`npm start`
 * and `npm run token` launched together): the key is written to a private temp file and
 * hard-linked into place, which fails if another process got there first — then we use theirs.
 */
function readOrCreate(file: string): StoredIdentity {
  const existing = tryRead(file);
  if (existing) return existing;

  mkdirSync(dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const stored: StoredIdentity = { version: 1, alg: DEV_ALG, kid: `dev-${thumbprint(privateJwk).slice(0, 16)}`, privateJwk };
  const temp = join(dirname(file), `.dev-identity.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = tryRead(file);
    if (!winner) throw new Error(`dev identity file ${file} exists but is not readable`, { cause: error });
    return winner;
  } finally {
    unlinkSync(temp);
  }
}

function tryRead(file: string): StoredIdentity | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: Partial<StoredIdentity>;
  try {
    value = JSON.parse(text) as Partial<StoredIdentity>;
  } catch (cause) {
    throw new Error(`dev identity file ${file} is not JSON; delete it to generate a new one`, { cause });
  }
  if (value === null || value.version !== 1 || value.alg !== DEV_ALG || typeof value.kid !== 'string' || typeof value.privateJwk !== 'object') {
    throw new Error(`dev identity file ${file} is not in the expected format; delete it to generate a new one`);
  }
  return value as StoredIdentity;
}

/** RFC 7638 JWK thumbprint of an EC key (members in lexicographic order), base64url. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
