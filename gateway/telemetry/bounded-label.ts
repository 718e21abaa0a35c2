/** A GraphQL name; anything else (or nothing) is never a label value. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export const OTHER = 'other';

/**
 * Label values that clients choose (GraphQL operation names) with a hard bound on how many
 * distinct values a metric can ever get: the allow-list when one is configured, else the
 * first `max` names seen; everything past that is `other`. Without the bound a client
 * sending random operation names would create a time series each.
 *
 * First-seen is a convenience for small deployments; a client could fill it first, so
 * production configs should list their operations (`metrics.operationNames`).
 */
export class BoundedLabel {
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #seen = new Set<string>();

  constructor(
    allowList: readonly string[] | undefined,
    private readonly max: number,
  ) {
    this.#allowed = allowList ? new Set(allowList) : undefined;
  }

  value(name: string | undefined, fallback: string): string {
    if (name === undefined || name === '') return fallback;
    if (this.#allowed) return this.#allowed.has(name) ? name : OTHER;
    if (this.#seen.has(name)) return name;
    if (this.#seen.size >= this.max || !NAME.test(name)) return OTHER;
    this.#seen.add(name);
    return name;
  }
}
