import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../gateway/config/index.ts';
import { createRequestSigner } from '../../../gateway/identity-signing/signer.ts';
import { DEV_KEY_ID, DEV_SECRET, KEY_ID_HEADER } from '../../../gateway/identity-signing/protocol.ts';
import { createServiceVerifier } from '../../../subgraphs/kit/gateway-signature.ts';

const A = 'config-test-secret-a-0123456789abcdef';
const B = 'config-test-secret-b-0123456789abcdef';

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('identitySigning config', () => {
  it('defaults to the dev key, so `npm start` needs nothing', () => {
    const { identitySigning } = loadConfig({ env: {} });
    expect(identitySigning).toEqual({ keyId: DEV_KEY_ID, keys: { [DEV_KEY_ID]: DEV_SECRET } });
  });

  it('reads the key list and key id from the environment', () => {
    const { identitySigning } = loadConfig({ env: { IDENTITY_SIGNING_KEYS: `k1:${A}, k2:${B}`, IDENTITY_SIGNING_KEY_ID: 'k2' } });
    expect(identitySigning).toEqual({ keyId: 'k2', keys: { k1: A, k2: B } });
  });

  it('signs with the only key when one is listed and no key id is given', () => {
    expect(loadConfig({ env: { IDENTITY_SIGNING_KEYS: `k1:${A}` } }).identitySigning.keyId).toBe('k1');
  });

  it('refuses a key id that is not listed, naming the key and the env var', () => {
    const message = problems(() => loadConfig({ env: { IDENTITY_SIGNING_KEYS: `k1:${A},k2:${B}`, IDENTITY_SIGNING_KEY_ID: 'k3' } }));
    expect(message).toContain('identitySigning.keyId (env IDENTITY_SIGNING_KEY_ID)');
    expect(message).toContain('"k3" is not one of identitySigning.keys (k1, k2)');
  });

  it.each([
    ['a short secret', `k1:short`, 'shorter than 32 characters'],
    ['an entry without a colon', `k1${A}`, 'is not "<key id>:<secret>"'],
    ['a bad key id', `k 1:${A}`, 'must be 1-64 letters'],
    ['a key id twice', `k1:${A},k1:${B}`, 'listed twice'],
    ['nothing', ' , ', 'no keys'],
  ])('refuses %s without echoing any secret', (_name, keys, expected) => {
    const message = problems(() => loadConfig({ env: { IDENTITY_SIGNING_KEYS: keys } }));
    expect(message).toContain('identitySigning.keys (env IDENTITY_SIGNING_KEYS)');
    expect(message).toContain(expected);
    expect(message).not.toContain(A);
    expect(message).not.toContain(B);
  });

  it('refuses a short secret in a config file mapping, naming its key', () => {
    const message = problems(() => loadConfig({ env: {}, overrides: { identitySigning: { keys: { k1: 'short' } } } }));
    expect(message).toContain('identitySigning.keys.k1');
  });
});

describe('the dev key in production', () => {
  it('stops the gateway at start-up with a ConfigError naming the key and what to set', () => {
    const config = loadConfig({ env: {} });
    const message = problems(() => createRequestSigner(config.identitySigning, { env: { NODE_ENV: 'production' } }));
    expect(message).toContain('identitySigning.keys: "dev" is the public dev key, refused when NODE_ENV=production');
    expect(message).toContain('IDENTITY_SIGNING_KEYS');
  });

  it('also when the dev secret is listed under another id, beside a real key', () => {
    const config = loadConfig({ env: {}, overrides: { identitySigning: { keyId: 'k1', keys: { k1: A, old: DEV_SECRET } } } });
    expect(problems(() => createRequestSigner(config.identitySigning, { env: { NODE_ENV: 'production' } }))).toContain('"old" is the public dev key');
  });

  it('lets a production gateway sign with its own key', () => {
    const config = loadConfig({ env: { IDENTITY_SIGNING_KEYS: `k1:${A}` } });
    const signer = createRequestSigner(config.identitySigning, { env: { NODE_ENV: 'production' } });
    expect(signer.sign({ method: 'GET', path: '/', body: null, headers: {} })[KEY_ID_HEADER]).toBe('k1');
  });

  it('stops a demo service too, unless it is given its keys', () => {
    expect(() => createServiceVerifier({}, { NODE_ENV: 'production' })).toThrow(/public dev key, refused when NODE_ENV=production/);
    expect(createServiceVerifier({}, { NODE_ENV: 'production', IDENTITY_SIGNING_KEYS: `k1:${A},k2:${B}` }).keyIds).toEqual(['k1', 'k2']);
    expect(createServiceVerifier({}, {}).keyIds).toEqual([DEV_KEY_ID]);
    expect(() => createServiceVerifier({}, { IDENTITY_SIGNATURE_MAX_SKEW_SEC: 'soon' })).toThrow(/IDENTITY_SIGNATURE_MAX_SKEW_SEC/);
  });
});
