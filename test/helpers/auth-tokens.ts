import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { authConfigSchema, type AuthConfig, type AuthConfigInput } from '../../gateway/auth/config.ts';

/** Issuer and audience every test config and token uses unless a test says otherwise. */
export const TEST_ISSUER = 'https://idp.test';
export const TEST_AUDIENCE = 'test-api';

export interface TestKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
  readonly privateKey: CryptoKey;
  /** Public JWK with kid, alg and use. */
  readonly publicJwk: JWK;
  /** The public key as PEM (SPKI): the material of the HS256 confusion attack. */
  readonly publicPem: string;
}

let counter = 0;

export async function makeKey(alg: TestKey['alg'] = 'RS256', kid = `test-key-${++counter}-${alg.toLowerCase()}`): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const publicPem = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  return { kid, alg, privateKey, publicJwk, publicPem };
}

export function jwksOf(...keys: TestKey[]): JSONWebKeySet {
  return { keys: keys.map((k) => k.publicJwk) };
}

export interface SignOptions {
  /** Claims merged over the defaults (iss, aud, sub, iat, exp in 5 min); `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Header members merged over { alg, kid, typ }. */
  header?: Record<string, unknown>;
}

const now = (): number => Math.floor(Date.now() / 1000);

export function defaultClaims(): JWTPayload {
  return { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'user-1', iat: now(), exp: now() + 300 };
}

/** A properly signed token (with whatever claims the test wants). */
export async function signToken(key: TestKey, options: SignOptions = {}): Promise<string> {
  const claims = withoutUndefined({ ...defaultClaims(), ...options.claims });
  const header = { alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header };
  return new SignJWT(claims as JWTPayload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

/** `alg: none`, empty signature. */
export function unsignedToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  return `${b64url({ alg: 'none', typ: 'JWT', ...header })}.${b64url(withoutUndefined({ ...defaultClaims(), ...claims }))}.`;
}

/** HMAC-SHA256 with `secret` as the key: with the RSA public key as secret, the algorithm-confusion attack. */
export function hmacToken(secret: string | Buffer, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(withoutUndefined({ ...defaultClaims(), ...claims }))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Same header and signature, payload swapped for `claims` (a forged privilege escalation). */
export function tamperPayload(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const original = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${b64url({ ...original, ...claims })}.${signature}`;
}

export function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A test auth config: our issuer/audience, dev keys off, everything else as given. */
export function testAuthConfig(input: AuthConfigInput = {}): AuthConfig {
  return authConfigSchema.parse({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, devKeys: false, ...input });
}

/** A fresh temp directory for key files. */
export function tempDir(prefix = 'bff-auth-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a JWKS file atomically (temp + rename), as a deploy tool would. */
export function writeJwksFile(file: string, jwks: JSONWebKeySet): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(jwks));
  renameSync(temp, file);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

