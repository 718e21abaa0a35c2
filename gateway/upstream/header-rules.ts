import type { HeaderVary, RequestContext } from '../context/request-context.ts';
import { claimReader, contextReader, IN_IDENTITY_KEY, type ContextReader } from './context-values.ts';
import type { HeaderRule, HeadersConfig } from './header-rules-config.ts';
import { isProtected } from './protected-headers.ts';
import type { Policy } from './types.ts';

export type HeaderRecord = Record<string, string | string[]>;

/** One compiled rule: writes into the upstream request's headers (a record of its own). */
export type HeaderStep = (out: HeaderRecord, ctx: RequestContext) => void;

/**
 * The `headers` config, compiled once at start-up (regular expressions included): per
 * upstream, the steps of `all` then of its own rules; and, for the engine's in-flight
 * sharing, what of a request the rules read.
 */
export class HeaderRules implements HeaderVary {
  readonly #all: readonly HeaderStep[];
  readonly #perUpstream: ReadonlyMap<string, readonly HeaderStep[]>;
  readonly #vary: VaryInputs;

  constructor(config: HeadersConfig) {
    const patterns = new Map<string, RegExp>();
    const pattern = (source: string): RegExp => {
      let re = patterns.get(source);
      if (!re) patterns.set(source, (re = new RegExp(source, 'i')));
      return re;
    };
    this.#all = config.all.request.map((rule) => compileRule(rule, pattern));
    this.#perUpstream = new Map(Object.entries(config.upstreams).map(([name, list]) => [name, [...this.#all, ...list.request.map((rule) => compileRule(rule, pattern))]]));
    this.#vary = varyInputs([config.all.request, ...Object.values(config.upstreams).map((l) => l.request)].flat(), pattern);
  }

  /** The steps for one upstream's calls; empty when no rule applies to it. */
  stepsFor(upstream: string): readonly HeaderStep[] {
    return this.#perUpstream.get(upstream) ?? this.#all;
  }

  /** The headers one call to `upstream` goes with: the door's, with the rules applied (a new record). */
  apply(upstream: string, headers: Readonly<HeaderRecord>, ctx: RequestContext): HeaderRecord {
    return runSteps(this.stepsFor(upstream), headers, ctx);
  }

  /**
   * What the rules read of this request that the engine's identity key does not already
   * hold, as one string ('' when they read nothing that varies between requests): two
   * callers may share one upstream request only when it is the same, or one would be
   * answered for headers the other sent. Over every upstream's rules, since an execution
   * shared by the engine (not only one fetch) reaches many upstreams.
   */
  varyKey(ctx: RequestContext): string {
    const { named, matching, readers } = this.#vary;
    if (named.length === 0 && matching.length === 0 && readers.length === 0) return '';
    // Joined with characters no header value can hold (node:http refuses control
    // characters, context values are checked), so distinct inputs never meet in one key.
    let key = '';
    const inbound = ctx.requestHeaders;
    for (const name of named) key += `${part(inbound[name])}\u0000`;
    if (matching.length > 0) {
      for (const name in inbound) {
        const value = inbound[name];
        if (value !== undefined && matchesAny(matching, name) && !isProtected(name)) key += `${name}\u0002${part(value)}\u0000`;
      }
    }
    for (const read of readers) key += `${part(read(ctx))}\u0000`;
    return key;
  }
}

const ABSENT = '\u0001';

function part(value: string | readonly string[] | undefined): string {
  if (value === undefined) return ABSENT;
  return typeof value === 'string' ? value : value.join('\u0003');
}

function matchesAny(patterns: readonly RegExp[], name: string): boolean {
  for (const re of patterns) if (re.test(name)) return true;
  return false;
}

/** The rules policy for one upstream, or null (left out of the pipeline) when none applies to it. */
export function headerRulesPolicy(steps: readonly HeaderStep[]): Policy | null {
  if (steps.length === 0) return null;
  return (next) => (req) => next({ ...req, headers: runSteps(steps, req.headers, req.ctx) });
}

function runSteps(steps: readonly HeaderStep[], headers: Readonly<HeaderRecord>, ctx: RequestContext): HeaderRecord {
  // A copy: the record is the door's (a caller may hold on to it), and rules delete from it.
  const out: HeaderRecord = Object.assign({}, headers);
  for (const step of steps) step(out, ctx);
  return out;
}

function compileRule(rule: HeaderRule, pattern: (source: string) => RegExp): HeaderStep {
  switch (rule.kind) {
    case 'propagate': {
      const { named, default: fallback } = rule;
      const target = rule.rename ?? named;
      return (out, ctx) => {
        const value = ctx.requestHeaders[named];
        if (value !== undefined) out[target] = value;
        else if (fallback !== undefined) out[target] = fallback;
      };
    }
    case 'propagateMatching': {
      const re = pattern(rule.matching);
      return (out, ctx) => {
        const inbound = ctx.requestHeaders;
        for (const name in inbound) {
          const value = inbound[name];
          if (value !== undefined && re.test(name) && !isProtected(name)) out[name] = value;
        }
      };
    }
    case 'insert': {
      const { name, value } = rule;
      return (out) => {
        out[name] = value;
      };
    }
    case 'insertFromContext':
      return insertFrom(rule.name, contextReader(rule.fromContext), rule.default);
    case 'insertFromClaim':
      return insertFrom(rule.name, claimReader(rule.fromClaim), rule.default);
    case 'remove': {
      const { named } = rule;
      return (out) => {
        delete out[named];
      };
    }
    case 'removeMatching': {
      const re = pattern(rule.matching);
      return (out) => {
        for (const name in out) if (re.test(name) && !isProtected(name)) delete out[name];
      };
    }
    default: {
      const unreachable: never = rule;
      throw new Error(`unknown header rule ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The gateway's value or nothing: without a value (an anonymous caller's subject) the
 * header is removed, so a client's own copy (the passthrough forwards client headers) can
 * never stand in for the gateway's.
 */
function insertFrom(name: string, read: ContextReader, fallback: string | undefined): HeaderStep {
  return (out, ctx) => {
    const value = read(ctx) ?? fallback;
    if (value === undefined) delete out[name];
    else out[name] = value;
  };
}

interface VaryInputs {
  /** Client headers propagated by name. */
  readonly named: readonly string[];
  readonly matching: readonly RegExp[];
  /** Context values inserted that the identity key does not hold (issuer, door, route, claims, …). */
  readonly readers: readonly ContextReader[];
}

function varyInputs(rules: readonly HeaderRule[], pattern: (source: string) => RegExp): VaryInputs {
  const named = new Set<string>();
  const matching = new Set<RegExp>();
  const sources = new Map<string, ContextReader>();
  for (const rule of rules) {
    if (rule.kind === 'propagate') named.add(rule.named);
    else if (rule.kind === 'propagateMatching') matching.add(pattern(rule.matching));
    else if (rule.kind === 'insertFromContext' && !IN_IDENTITY_KEY.has(rule.fromContext)) sources.set(`context:${rule.fromContext}`, contextReader(rule.fromContext));
    else if (rule.kind === 'insertFromClaim') sources.set(`claim:${rule.fromClaim}`, claimReader(rule.fromClaim));
  }
  return { named: [...named], matching: [...matching], readers: [...sources.values()] };
}
