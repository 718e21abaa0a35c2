import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BODY_DIGEST_HEADER,
  KEY_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  UNSIGNED_BODY,
  canonicalString,
  signatureHeaders,
} from '../../../gateway/identity-signing/protocol.ts';
import { createSignatureVerifier } from '../../../gateway/identity-signing/verify.ts';

const SECRET = 'unit-test-secret-0123456789abcdef0123';
const NOW_SEC = 1_750_000_000;
const IDENTITY = { 'x-request-id': 'r-1', 'x-gateway-client': 'web', 'x-user-id': 'u1', 'x-user-scopes': 'a b', 'x-user-roles': 'admin', 'x-consumer-tier': 'gold' };

function sign(overrides: Partial<Parameters<typeof signatureHeaders>[0]> = {}) {
  return signatureHeaders({ keyId: 'k1', key: SECRET, method: 'POST', path: '', body: '{"query":"{ me { id } }"}', headers: IDENTITY, timestampSec: NOW_SEC, ...overrides });
}

const verifier = createSignatureVerifier({ keys: { k1: SECRET }, maxSkewSec: 30, now: () => NOW_SEC * 1000 });

describe('the v1 canonical string and signature', () => {
  it('is the documented layout, one field a line, absent headers empty', () => {
    const text = canonicalString({ keyId: 'k1', timestamp: '1750000000', method: 'GET', path: '/a?b=1', bodyDigest: UNSIGNED_BODY, headers: { 'x-user-id': 'u1', 'x-request-id': 'r-1', other: 'not signed' } });
    expect(text.split('\n')).toEqual(['bff-gateway-identity-v1', 'k1', '1750000000', 'GET', '/a?b=1', 'unsigned', 'r-1', '', 'u1', '', '', '', '']);
  });

  it('is HMAC-SHA256 over that string, base64url, with the body as sha256=<base64url>', () => {
    const body = '{"query":"{ me { id } }"}';
    const headers = sign({ body });
    const digest = `sha256=${createHash('sha256').update(body).digest('base64url')}`;
    expect(headers[BODY_DIGEST_HEADER]).toBe(digest);
    expect(headers[KEY_ID_HEADER]).toBe('k1');
    expect(headers[TIMESTAMP_HEADER]).toBe(String(NOW_SEC));
    const expected = createHmac('sha256', SECRET)
      .update(['bff-gateway-identity-v1', 'k1', String(NOW_SEC), 'POST', '', digest, 'r-1', 'web', 'u1', 'a b', 'admin', '', 'gold'].join('\n'))
      .digest('base64url');
    expect(headers[SIGNATURE_HEADER]).toBe(`v1=${expected}`);
  });
});

describe('verification', () => {
  const req = (headers: Record<string, string | undefined>, method = 'POST', path = '') => ({ method, path, headers });

  it('accepts the gateway\'s signature and hands back the signed body digest', () => {
    const signed = sign();
    expect(verifier.verify(req({ ...IDENTITY, ...signed }))).toEqual({ ok: true, keyId: 'k1', bodyDigest: signed[BODY_DIGEST_HEADER] });
  });

  it('refuses a request with no signature as SIGNATURE_REQUIRED', () => {
    expect(verifier.verify(req(IDENTITY))).toMatchObject({ ok: false, code: 'SIGNATURE_REQUIRED' });
  });

  it.each([
    ['another user', { 'x-user-id': 'u2' }],
    ['an added role', { 'x-user-roles': 'admin root' }],
    ['a consumer header that was absent', { 'x-consumer': 'acme' }],
    ['another request id', { 'x-request-id': 'r-2' }],
    ['another body digest', { [BODY_DIGEST_HEADER]: UNSIGNED_BODY }],
    ['another key id', { [KEY_ID_HEADER]: 'k2' }],
    ['a timestamp moved', { [TIMESTAMP_HEADER]: String(NOW_SEC + 1) }],
    ['a malformed signature', { [SIGNATURE_HEADER]: 'v1=short' }],
    ['a signature without its key id', { [KEY_ID_HEADER]: undefined }],
  ])('refuses %s as SIGNATURE_INVALID', (_name, change) => {
    expect(verifier.verify(req({ ...IDENTITY, ...sign(), ...change }))).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('binds the method and the path', () => {
    const signed = { ...IDENTITY, ...sign({ method: 'GET', path: '/orders/1', body: null }) };
    expect(verifier.verify(req(signed, 'GET', '/orders/1')).ok).toBe(true);
    expect(verifier.verify(req(signed, 'DELETE', '/orders/1'))).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifier.verify(req(signed, 'GET', '/orders/2'))).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('refuses a valid signature outside the skew window either way as SIGNATURE_EXPIRED, and takes one at its edge', () => {
    const at = (offsetSec: number) => verifier.verify(req({ ...IDENTITY, ...sign({ timestampSec: NOW_SEC + offsetSec }) }));
    expect(at(-30).ok).toBe(true);
    expect(at(30).ok).toBe(true);
    expect(at(-31)).toMatchObject({ ok: false, code: 'SIGNATURE_EXPIRED' });
    expect(at(31)).toMatchObject({ ok: false, code: 'SIGNATURE_EXPIRED' });
  });

  it('accepts every listed key id and nothing else', () => {
    const rotating = createSignatureVerifier({ keys: { k1: SECRET, k2: `${SECRET}-2` }, now: () => NOW_SEC * 1000 });
    expect(rotating.verify(req({ ...IDENTITY, ...sign() })).ok).toBe(true);
    expect(rotating.verify(req({ ...IDENTITY, ...sign({ keyId: 'k2', key: `${SECRET}-2` }) })).ok).toBe(true);
    const refused = rotating.verify(req({ ...IDENTITY, ...sign({ keyId: 'k3', key: SECRET }) }));
    expect(refused).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID', message: 'key id "k3" is not accepted here' });
  });
});
