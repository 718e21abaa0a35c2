import { validRange } from 'semver';
import { z } from 'zod';

/**
 * What the GraphQL doors do with documents and the apps that send them: the safelist of
 * registered documents (schema/clients/), automatic persisted queries, and the version
 * policy. Off or permissive by default, so a gateway without a registry behaves as before.
 */

/**
 * `enforce`: only documents registered for the door (and the calling client version, when
 * it is known) run, by id or by text; anything else is refused with DOCUMENT_NOT_REGISTERED.
 * `log`: everything runs, unregistered documents are counted
 * (`graphql_documents_total{outcome="unregistered"}`) — the way to find out what would be
 * refused before turning `enforce` on. `off`: no lookup at all.
 */
export const safelistModeSchema = z.enum(['enforce', 'log', 'off']);
export type SafelistMode = z.output<typeof safelistModeSchema>;

const versionRule = z.strictObject({
  /** The registry's client name (`apollographql-client-name`, or the token's claim). */
  client: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a client name: lower-case letters, digits and dashes'),
  /**
   * Versions the rule covers, a node-semver range (`<2.0.0`, `1.x || 2.0.x`). Versions are
   * read loosely (`1.0` is 1.0.0, `2` is 2.0.0); a version that is no version at all
   * matches no range, so it falls to `unparsable`.
   */
  range: z.string().refine((r) => validRange(r, { loose: true }) !== null, 'a semver range, e.g. <2.0.0'),
  /** `warn`: served, with a warning extension and header; `deny`: refused with CLIENT_VERSION_UNSUPPORTED. */
  action: z.enum(['warn', 'deny']),
  /** What the app shows its user (e.g. "Please update the app"). Default a generic sentence. */
  message: z.string().min(1).max(500).optional(),
  /** When the versions stop being served (an HTTP date or ISO date): sent as the `Sunset` header (RFC 8594) with a warning. */
  sunset: z.iso.date().or(z.iso.datetime()).optional(),
});
export type VersionRule = z.output<typeof versionRule>;

export const clientsConfigSchema = z.strictObject({
  /** The client registry folder (relative to the working directory), loaded once at start-up. Default schema/clients. */
  registryDir: z.string().min(1).default('schema/clients'),
  /** Where the calling app's name and version come from: the verified token's claims win over the headers, which anyone can send. */
  identity: z
    .strictObject({
      /** Token claim naming the app (a string); unset or absent in the token: the `apollographql-client-name` header. Default client_name. */
      nameClaim: z.string().min(1).optional().default('client_name'),
      /** Token claim with the app's version; absent: the `apollographql-client-version` header. Default client_version. */
      versionClaim: z.string().min(1).optional().default('client_version'),
    })
    .prefault({}),
  safelist: z
    .strictObject({
      /** Every door's mode unless `doors` or `clients` say otherwise. Default off (nothing changes for existing users). */
      mode: safelistModeSchema.default('off'),
      /** Per door: `graphql` (the supergraph door) or a BFF's name (`mobile`). Default none. */
      doors: z.record(z.string(), safelistModeSchema).default({}),
      /** Per registered client, winning over its door's mode (e.g. `enforce` for `mobile` only). Default none. */
      clients: z.record(z.string(), safelistModeSchema).default({}),
    })
    .prefault({}),
  /**
   * Automatic persisted queries (Apollo's APQ protocol, `extensions.persistedQuery`): a
   * client sends the hash, and the text only when the gateway answers PERSISTED_QUERY_NOT_FOUND.
   * Texts are kept in memory (bounded) and, when `redis.url` is set, in Redis on the rate
   * limiter's connection, shared by every instance. A stored text goes through the same
   * operation limits as one sent inline, and with the safelist in `enforce` only registered
   * documents are stored or served.
   */
  apq: z
    .strictObject({
      /** Off: requests with `extensions.persistedQuery` get PERSISTED_QUERY_NOT_SUPPORTED (registered ids still run). Default true. */
      enabled: z.boolean().default(true),
      /** How long a text is kept after it was registered (memory and Redis). Default 86400 s (a day). */
      ttlSeconds: z.number().int().min(1).max(30 * 86_400).default(86_400),
      /** Texts kept in this instance's memory, least recently used evicted. Default 10000. */
      maxEntries: z.number().int().min(1).default(10_000),
      /** Bound on the memory kept for texts (their length in characters, roughly bytes). Default 32 MiB. */
      maxBytes: z.number().int().min(1024).default(32 * 1024 * 1024),
      /** Prefix of the Redis keys (`<prefix><sha256>`). Default bffgw:apq:. */
      redisKeyPrefix: z.string().min(1).default('bffgw:apq:'),
    })
    .prefault({}),
  /**
   * Version policy, first matching rule wins; versions no rule matches are allowed. For hard
   * mobile sunsets: `{ client: mobile, range: "<2.0.0", action: deny, message: "Please update" }`.
   * Default none.
   */
  versions: z.array(versionRule).default([]),
  /** What a version that cannot be read as one (`banana`) gets when rules exist for its client. Default allow. */
  unparsableVersion: z.enum(['allow', 'deny']).default('allow'),
});

export type ClientsConfig = z.output<typeof clientsConfigSchema>;
