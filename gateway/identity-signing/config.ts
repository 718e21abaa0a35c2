import { z } from 'zod';
import { keyProblem, parseKeyList } from './key-list.ts';
import { DEV_KEY_ID, DEV_SECRET } from './protocol.ts';

/**
 * `identitySigning` config: the key the gateway signs every upstream call with (HMAC-SHA256
 * over the identity headers, method, path, timestamp, request id and, when the gateway
 * holds it, the body; see protocol.ts). The default is the public dev key, so `npm start`
 * and the tests need no setup; the gateway refuses it when NODE_ENV=production (signer.ts).
 *
 * Rotation: list the new key beside the old one on every upstream first (they accept any
 * listed key id), then move `keyId` to it, then drop the old key everywhere.
 */

/**
 * Key id → secret. In a file, a mapping; from the environment (`IDENTITY_SIGNING_KEYS`),
 * `<id>:<secret>` pairs separated by commas. Secrets are at least 32 characters.
 */
const keysSchema = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    const { keys, problems } = parseKeyList(value);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return keys;
  },
  z.record(z.string(), z.string()).superRefine((keys, ctx) => {
    if (Object.keys(keys).length === 0) ctx.addIssue({ code: 'custom', message: 'at least one key is needed' });
    for (const [id, secret] of Object.entries(keys)) {
      const problem = keyProblem(id, secret);
      if (problem) ctx.addIssue({ code: 'custom', path: [id], message: problem });
    }
  }),
);

export const identitySigningConfigSchema = z
  .strictObject({
    /** The key id the gateway signs with now; one of `keys`. Default: the only key of `keys`, else `dev`. */
    keyId: z.string().min(1).optional(),
    /** Signing keys by id (the gateway signs with `keyId`'s; upstreams accept the ones they list). Default the dev key. */
    keys: keysSchema.default({ [DEV_KEY_ID]: DEV_SECRET }),
  })
  .transform((signing, ctx) => {
    const ids = Object.keys(signing.keys);
    const keyId = signing.keyId ?? (ids.length === 1 && ids[0] !== undefined ? ids[0] : DEV_KEY_ID);
    if (!Object.hasOwn(signing.keys, keyId)) {
      ctx.addIssue({ code: 'custom', path: ['keyId'], message: `"${keyId}" is not one of identitySigning.keys (${ids.join(', ')})` });
    }
    return { keyId, keys: signing.keys };
  });

export type IdentitySigningConfig = z.output<typeof identitySigningConfigSchema>;
