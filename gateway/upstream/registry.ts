import type { LoadedConfig } from '../config/index.ts';
import { policyFor } from '../config/index.ts';
import { createRequestSigner, type RequestSigner } from '../identity-signing/signer.ts';
import type { Logger } from '../telemetry/logger.ts';
import { startHealthChecks } from './health-check.ts';
import { HeaderRules } from './header-rules.ts';
import { buildPipeline, type Pipeline } from './pipeline.ts';
import { PoolRegistry } from './transport.ts';
import type { BreakerState, UpstreamDefinition, UpstreamEvents, UpstreamKind, UpstreamTarget } from './types.ts';

/**
 * Owns every upstream's pipeline and the undici pools under them. Doors ask it for a
 * pipeline by name; a pipeline (and so its breaker state) survives supergraph reloads as
 * long as the upstream's targets stay the same.
 */
export class UpstreamRegistry {
  readonly #pipelines = new Map<string, Pipeline>();
  readonly #stopHealthChecks = new Map<string, () => void>();
  readonly pools: PoolRegistry;
  /** One signer for every pipeline, built (and the dev key refused in production) at start-up. */
  readonly #signer: RequestSigner;
  /** The `headers` rules, compiled once: each pipeline applies its upstream's, the edge hands them to each request's context. */
  readonly headerRules: HeaderRules;

  constructor(
    private readonly config: LoadedConfig,
    private readonly events: UpstreamEvents,
    private readonly log: Logger,
  ) {
    this.#signer = createRequestSigner(config.identitySigning);
    this.headerRules = new HeaderRules(config.headers);
    this.pools = new PoolRegistry();
  }

  /** The pipeline for `name`, built on first use; rebuilt only if its targets changed. */
  pipeline(name: string, kind: UpstreamKind, targets: readonly UpstreamTarget[]): Pipeline {
    const existing = this.#pipelines.get(name);
    if (existing && sameTargets(existing.definition.targets, targets)) return existing;
    this.#stopHealthChecks.get(name)?.();
    const definition: UpstreamDefinition = { name, kind, targets, policy: policyFor(this.config, name) };
    const pipeline = buildPipeline(definition, this.pools, this.events, this.#signer, this.headerRules);
    this.#pipelines.set(name, pipeline);
    if (definition.policy.breaker.enabled && definition.policy.breaker.healthCheck.enabled) {
      this.#stopHealthChecks.set(name, startHealthChecks(pipeline, this.pools, this.log));
    }
    return pipeline;
  }

  get(name: string): Pipeline | undefined {
    return this.#pipelines.get(name);
  }

  all(): IterableIterator<Pipeline> {
    return this.#pipelines.values();
  }

  /** Every enabled breaker's state now, per target (the metrics gauge reads it at scrape time). */
  *breakerStates(): Generator<{ upstream: string; origin: string; state: BreakerState }> {
    for (const p of this.#pipelines.values()) {
      if (!p.definition.policy.breaker.enabled) continue;
      for (const [origin, breaker] of p.breakers.entries()) yield { upstream: p.definition.name, origin, state: breaker.state };
    }
  }

  async close(): Promise<void> {
    for (const stop of this.#stopHealthChecks.values()) stop();
    this.#stopHealthChecks.clear();
    await this.pools.close();
  }
}

/** Splits a URL into the Pool origin and the base path requests are sent under. */
export function targetFromUrl(url: string, weight = 1): UpstreamTarget {
  const u = new URL(url);
  return {
    origin: u.origin,
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    basePath: u.pathname === '/' ? '' : u.pathname.replace(/\/$/, ''),
    weight,
  };
}

function sameTargets(a: readonly UpstreamTarget[], b: readonly UpstreamTarget[]): boolean {
  return a.length === b.length && a.every((t, i) => t.origin === b[i]?.origin && t.basePath === b[i]?.basePath && t.weight === b[i]?.weight);
}
