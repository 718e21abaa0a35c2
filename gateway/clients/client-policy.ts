import { coerce, satisfies, valid } from 'semver';
import type { CallingClient, RequestContext } from '../context/request-context.ts';
import { ClientVersionUnsupportedError } from '../errors/gateway-error.ts';
import type { ClientsConfig, VersionRule } from './config.ts';

/** What a served, warned request carries back: `extensions.clientVersion` and headers. */
export interface VersionWarning {
  readonly client: string;
  readonly version: string | undefined;
  readonly message: string;
  readonly sunset?: string;
}

export type VersionDecision = { readonly action: 'allow' } | { readonly action: 'warn'; readonly warning: VersionWarning };

const DEFAULT_WARN = 'This version of the app is deprecated; please update it';
const DEFAULT_DENY = 'This version of the app is no longer supported; please update it';

/**
 * The version policy (`clients.versions`): the first rule for the client whose range holds
 * the version decides: `warn` serves with a warning, `deny` throws
 * CLIENT_VERSION_UNSUPPORTED with the configured message. No rule: allowed. Ranges are
 * node-semver's (validated at start-up); versions are read loosely (`1.0` is 1.0.0), and
 * a client with rules whose version is missing or unreadable gets `unparsableVersion`.
 */
export class ClientVersionPolicy {
  readonly #rules: ReadonlyMap<string, readonly VersionRule[]>;
  readonly #unparsable: ClientsConfig['unparsableVersion'];

  constructor(config: Pick<ClientsConfig, 'versions' | 'unparsableVersion'>) {
    const rules = new Map<string, VersionRule[]>();
    for (const rule of config.versions) rules.set(rule.client, [...(rules.get(rule.client) ?? []), rule]);
    this.#rules = rules;
    this.#unparsable = config.unparsableVersion;
  }

  decide(client: CallingClient): VersionDecision {
    if (client.name === undefined) return { action: 'allow' };
    const rules = this.#rules.get(client.name);
    if (!rules) return { action: 'allow' };
    const version = client.version === undefined ? null : (valid(client.version, { loose: true }) ?? coerce(client.version)?.version ?? null);
    if (version === null) {
      if (this.#unparsable === 'deny') throw new ClientVersionUnsupportedError(client.name, client.version, DEFAULT_DENY);
      return { action: 'allow' };
    }
    const rule = rules.find((r) => satisfies(version, r.range, { loose: true }));
    if (!rule) return { action: 'allow' };
    if (rule.action === 'deny') throw new ClientVersionUnsupportedError(client.name, client.version, rule.message ?? DEFAULT_DENY, httpDate(rule.sunset));
    return {
      action: 'warn',
      warning: { client: client.name, version: client.version, message: rule.message ?? DEFAULT_WARN, ...(rule.sunset ? { sunset: httpDate(rule.sunset) } : {}) },
    };
  }
}

const warnings = new WeakMap<RequestContext, VersionWarning>();

/** Remembered for the door's response (version-warning-plugin.ts). */
export function rememberVersionWarning(ctx: RequestContext, warning: VersionWarning): void {
  warnings.set(ctx, warning);
}

export function versionWarningOf(ctx: RequestContext): VersionWarning | undefined {
  return warnings.get(ctx);
}

/** RFC 8594's Sunset is an HTTP date. */
function httpDate(date: string | undefined): string | undefined {
  return date === undefined ? undefined : new Date(date).toUTCString();
}
