import { z } from 'zod';
import type { AccessRequirement } from './access-policy.ts';

/**
 * `auth` config: how callers prove who they are (JWTs against a JWKS, API keys, the
 * embedded dev identity provider) and what each door requires of them. The defaults make
 * the demo work with zero config: dev tokens from `npm run token` verify, and every door
 * but the admin BFF is open.
 */

const positiveInt = z.number().int().min(1);

/** Issuer of the embedded dev identity provider, and the default accepted `iss`. */
export const DEV_ISSUER = 'bff-gateway-dev';
/** The default accepted `aud` (and the audience of dev tokens). */
export const DEFAULT_AUDIENCE = 'bff-gateway';

/**
 * Asymmetric JWS algorithms only. `none` and HS* are not in the enum, so a config cannot
 * allow them: with a shared-secret algorithm allowed, a token HMAC-signed with the IdP's
 * *public* key would verify (the classic algorithm-confusion attack).
 */
export const allowedAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type AllowedAlgorithm = (typeof allowedAlgorithms)[number];

const algorithmSchema = z.enum(allowedAlgorithms, {
  error: (issue) =>
    `"${String(issue.input)}" is not allowed; use one of ${allowedAlgorithms.join(', ')} ("none" and HS* are refused: symmetric algorithms would let a public key sign tokens)`,
});

/** One or several accepted values (`iss`, `aud`). */
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const jwksConfigSchema = z
  .strictObject({
    /** Remote JWKS URL of the identity provider (fetched lazily, cached, refreshed on rotation). Default none. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Local JWKS JSON file, re-read when it changes (checked on an unknown `kid` or after `cacheMaxAgeMs`). Default none. */
    file: z.string().min(1).optional(),
    /**
     * Minimum time between refetches caused by an unknown `kid`, so tokens with made-up key
     * ids cannot make the gateway hammer the IdP. Default 30000 ms.
     */
    cooldownMs: z.number().int().min(0).default(30_000),
    /** Keys older than this are refetched before use (a removed key stops verifying). Default 600000 ms. */
    cacheMaxAgeMs: positiveInt.default(600_000),
    /** Timeout of one JWKS fetch. Default 2000 ms. */
    timeoutMs: positiveInt.default(2_000),
    /**
     * After a failed fetch, further fetches wait this long (requests meanwhile use cached
     * keys or fail fast with `jwks_unavailable`), so a down IdP is not hammered. Default 5000 ms.
     */
    failureBackoffMs: z.number().int().min(0).default(5_000),
  })
  .refine((j) => j.url === undefined || j.file === undefined, {
    message: 'set either url or file, not both',
  });

/** The access a door or route requires (see access-policy.ts). */
export const accessRequirementSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('anonymous') }),
  z.strictObject({ kind: z.literal('authenticated') }),
  z.strictObject({
    kind: z.literal('scopes'),
    /** Any one of these sets; every scope of the set is needed. */
    anyOf: z.array(z.array(z.string().min(1)).min(1)).min(1),
  }),
  z.strictObject({
    kind: z.literal('roles'),
    /** Any one of these roles. */
    anyOf: z.array(z.string().min(1)).min(1),
  }),
]) satisfies z.ZodType<AccessRequirement>;

export const apiKeyTiers = ['free', 'standard', 'premium', 'enterprise'] as const;

/** One API key. The key itself is never in config: only its SHA-256. */
export const apiKeySchema = z.strictObject({
  /** Stable id of the key (logs, audit, rotation). */
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore (max 64)'),
  /** SHA-256 of the key, hex (`printf %s "$KEY" | sha256sum`). */
  hash: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'the SHA-256 of the key as 64 hex characters')
    .transform((h) => h.toLowerCase()),
  /** Consumer name; forwarded upstream as `x-consumer` and used as the rate-limit identity. */
  consumer: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, dot, dash, underscore'),
  /** Rate-limit tier. Default `standard`. */
  tier: z.enum(apiKeyTiers).default('standard'),
  /** Default none. */
  scopes: z.array(z.string().min(1)).default([]),
  /** Default none. */
  roles: z.array(z.string().min(1)).default([]),
  /** REST route names the key may call, or `['*']` for all. Required: a partner key is scoped on purpose. */
  routes: z.array(z.string().min(1)).min(1),
});

const anonymous = { kind: 'anonymous' } as const;

export const doorsConfigSchema = z.strictObject({
  /**
   * `/graphql`, the federated supergraph. Default anonymous: the demo's curl works, and
   * field-level authorization belongs to the subgraphs, which see the verified identity.
   */
  graphql: accessRequirementSchema.default(anonymous),
  bff: z
    .strictObject({
      /** Default: a verified caller (every mobile screen is the signed-in user's). */
      mobile: accessRequirementSchema.default({ kind: 'authenticated' }),
      /** Default: a verified caller (as `mobile`). */
      web: accessRequirementSchema.default({ kind: 'authenticated' }),
      /** Default: the `admin` role. */
      admin: accessRequirementSchema.default({ kind: 'roles', anyOf: ['admin'] }),
    })
    .prefault({}),
  /** `/api/v1/*` unless a route sets its own requirement. Default anonymous. */
  rest: accessRequirementSchema.default(anonymous),
});

/** `/graphql` field-level authorization: the supergraph's `@authenticated` and `@requiresScopes`. */
export const graphqlAuthorizationConfigSchema = z.strictObject({
  /**
   * An operation selecting fields or types the caller may not see: `filter` takes them out
   * before planning (subgraphs never get them) and answers each `null` with an
   * UNAUTHENTICATED or FORBIDDEN error at its path, the rest of the data intact (as Apollo
   * Router does); `reject` refuses the whole request with the first one's code (401/403).
   * Default `filter`.
   */
  unauthorized: z.enum(['filter', 'reject']).default('filter'),
});

export const authConfigSchema = z
  .strictObject({
    jwks: jwksConfigSchema.prefault({}),
    /** Accepted `iss` value(s). Default `bff-gateway-dev` (the embedded dev IdP). */
    issuer: oneOrMany.default(DEV_ISSUER),
    /** Accepted `aud` value(s); a token must name one of them. Default `bff-gateway`. */
    audience: oneOrMany.default(DEFAULT_AUDIENCE),
    /** Allowed JWS algorithms (asymmetric only). Default RS256, ES256, EdDSA. */
    algorithms: z.array(algorithmSchema).min(1).default(['RS256', 'ES256', 'EdDSA']),
    /** Leeway for `exp`/`nbf` against clock skew. Default 30 s. */
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
    /**
     * Verified tokens remembered (by their exact text) until `exp` or `maxAgeMs`, whichever
     * is first, so a session's repeated bearer token is not re-verified on every request.
     * `maxAgeMs` is also capped at `jwks.cacheMaxAgeMs`: a key removed from the JWKS stops
     * a cached token no later than it stops a fresh one. Defaults 10000 entries, 60000 ms.
     */
    tokenCache: z
      .strictObject({
        /** 0 turns the cache off. Default 10000. */
        maxEntries: z.number().int().min(0).max(1_000_000).default(10_000),
        /** Default 60000 ms. */
        maxAgeMs: z.number().int().min(1).default(60_000),
      })
      .prefault({}),
    /** API keys (`X-API-Key`) for REST partners. Default none. */
    apiKeys: z.array(apiKeySchema).default([]),
    /**
     * Trust the embedded dev identity provider (a signing key generated on first use under
     * `node_modules/.cache/bff-gateway/`, used by `npm run token`). Refused when
     * NODE_ENV=production. Default true.
     */
    devKeys: z.boolean().default(true),
    /** What each door requires by default; REST routes may override per route. */
    doors: doorsConfigSchema.prefault({}),
    graphql: graphqlAuthorizationConfigSchema.prefault({}),
  })
  .superRefine((auth, ctx) => {
    const seen = (values: readonly string[]) => values.find((v, i) => values.indexOf(v) !== i);
    const dupId = seen(auth.apiKeys.map((k) => k.id));
    if (dupId) ctx.addIssue({ code: 'custom', path: ['apiKeys'], message: `API key id "${dupId}" is used twice` });
    const hashes = auth.apiKeys.map((k) => k.hash);
    const dupHash = seen(hashes);
    if (dupHash) {
      ctx.addIssue({ code: 'custom', path: ['apiKeys', hashes.lastIndexOf(dupHash), 'hash'], message: 'the same key is configured twice' });
    }
  });

export type AuthConfigInput = z.input<typeof authConfigSchema>;
export type AuthConfig = z.output<typeof authConfigSchema>;
export type JwksConfig = z.output<typeof jwksConfigSchema>;
export type ApiKeyConfig = z.output<typeof apiKeySchema>;
export type DoorsConfig = z.output<typeof doorsConfigSchema>;
export type GraphQLAuthorizationConfig = z.output<typeof graphqlAuthorizationConfigSchema>;
