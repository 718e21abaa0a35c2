import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  validate,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { CorpusOperation } from './project.ts';

/**
 * A small deterministic generator of valid operations over the demo supergraph's API
 * schema: the same seed gives the same operations, byte for byte, on every machine.
 *
 * It walks the schema from Query and mixes in, at random but reproducibly: aliases (and the
 * same field twice under two aliases with different arguments), inline fragments with and
 * without a type condition, named fragments (some spread twice), @include/@skip with
 * literals and with variables (required, defaulted, and defaulted-but-omitted), arguments
 * as literals and as variables (with defaults, or nullable and left out so the schema
 * default applies), nested entities across subgraphs, inventory's @requires field,
 * `__typename` at any level (aliased too) and at the root, several operations in one
 * document chosen by `operationName`, and now and then a `first: -1` that a subgraph
 * refuses (partial data with an error at its path).
 *
 * The demo schema has no interfaces or unions, so there are no abstract types to fragment
 * on here: those come from the federation audit suites (audit-suites.test.ts).
 *
 * Argument values come from the seed data (subgraphs/*\/data.ts) plus ids that exist
 * nowhere (`p404`, …) so nulls and empty lists are exercised. List sizes are kept small so
 * the answers stay small.
 */

/** mulberry32: a tiny seeded PRNG, good enough to pick from lists reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Random, p: number): boolean => rng() < p;
const range = (rng: Random, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const PRODUCT_IDS = [...ids('p', 40), 'p404'];
const USER_IDS = [...ids('u', 12), 'u404'];
const REVIEW_IDS = [...ids('r', 61), 'r404'];
const ORDER_IDS = [...ids('o', 44), 'o404'];
const STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'];
const TERMS = ['a', 'an', 'ho', 'LOVE', 'zz', ''];

/** A value for one argument: `undefined` leaves an optional one out. */
type ArgValue = (rng: Random) => unknown;

const small = (lo: number, hi: number): ArgValue => (rng) => (chance(rng, 0.04) ? -1 : range(rng, lo, hi));
const someOf = (pool: readonly string[], lo: number, hi: number): ArgValue => (rng) => Array.from({ length: range(rng, lo, hi) }, () => pick(rng, pool));
const optional = (p: number, value: ArgValue): ArgValue => (rng) => (chance(rng, p) ? value(rng) : undefined);

/** Per coordinate and argument. Arguments not listed are left out (all of them are optional). */
const ARGUMENTS: Readonly<Record<string, Readonly<Record<string, ArgValue>>>> = {
  'Query.product': { id: (rng) => pick(rng, PRODUCT_IDS) },
  'Query.products': { ids: someOf(PRODUCT_IDS, 1, 4) },
  'Query.topProducts': { first: optional(0.7, small(0, 3)) },
  'Query.review': { id: (rng) => pick(rng, REVIEW_IDS) },
  'Query.user': { id: (rng) => pick(rng, USER_IDS) },
  'Query.users': { ids: someOf(USER_IDS, 0, 3) },
  'Query.searchUsers': { term: (rng) => pick(rng, TERMS), first: optional(0.8, small(1, 3)) },
  'Query.order': { id: (rng) => pick(rng, ORDER_IDS) },
  'Query.orders': { userId: optional(0.6, (rng) => pick(rng, ['u1', 'u2', 'u3', 'u12'])), status: optional(0.4, someOf(STATUSES, 1, 2)), first: small(1, 3) },
  'Product.reviews': { first: optional(0.7, small(0, 3)) },
  'User.orders': { status: optional(0.3, someOf(STATUSES, 1, 2)), first: small(1, 2) },
};

/** The @requires field and the cross-subgraph hops, chosen more often than their share. */
const FAVOURED = new Set(['Product.shippingEstimateCents', 'Product.reviews', 'Review.author', 'Review.product', 'OrderItem.product', 'User.reviews', 'Order.user']);

export interface GenerateOptions {
  readonly seed: number;
  readonly count: number;
  /** Coordinates (`Type.field`) never to select, e.g. the ones only a signed-in caller may see. */
  readonly exclude?: (index: number) => ReadonlySet<string>;
  /** Deepest field nesting (root fields are depth 1). Default 6. */
  readonly maxDepth?: number;
}

export interface Generated {
  readonly operations: CorpusOperation[];
  /** How many candidates failed validation and were dropped. */
  readonly invalid: number;
  readonly invalidExamples: Array<{ query: string; errors: string[] }>;
}

/** `count` valid operations (candidates that fail graphql-js `validate` are dropped and counted). */
export function generateOperations(schema: GraphQLSchema, options: GenerateOptions): Generated {
  const rng = seededRandom(options.seed);
  const operations: CorpusOperation[] = [];
  const invalidExamples: Generated['invalidExamples'] = [];
  let invalid = 0;
  for (let attempt = 0; operations.length < options.count && attempt < options.count * 4; attempt++) {
    const index = operations.length;
    const candidate = new OperationBuilder(schema, rng, options.exclude?.(index) ?? new Set(), options.maxDepth ?? 6).build(index);
    const errors = validate(schema, parse(candidate.query));
    if (errors.length > 0) {
      invalid++;
      if (invalidExamples.length < 5) invalidExamples.push({ query: candidate.query, errors: errors.map((e) => e.message) });
      continue;
    }
    operations.push({ ...candidate, name: `generated #${index + 1}`, from: `generated (seed ${options.seed}) #${index + 1}` });
  }
  return { operations, invalid, invalidExamples };
}

interface VariableDef {
  readonly type: string;
  readonly defaultLiteral?: string;
  /** `undefined`: not sent. */
  readonly value: unknown;
}

class OperationBuilder {
  readonly #variables = new Map<string, VariableDef>();
  readonly #fragments: string[] = [];
  /** Fragments defined so far by type, for a second spread of the same one. */
  readonly #fragmentsByType = new Map<string, string[]>();
  /** Arguments of each unaliased coordinate, fixed at first use so merged fields agree. */
  readonly #canonical = new Map<string, string>();
  #aliases = 0;
  #names = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rng: Random,
    private readonly exclude: ReadonlySet<string>,
    private readonly maxDepth: number,
  ) {}

  build(index: number): Omit<CorpusOperation, 'name' | 'from'> {
    const query = this.schema.getQueryType();
    if (!query) throw new Error('the schema has no Query type');
    const roots = this.selections(query, 1, range(this.rng, 1, 3));
    if (chance(this.rng, 0.25)) roots.splice(range(this.rng, 0, roots.length), 0, chance(this.rng, 0.5) ? '__typename' : `${this.alias()}: __typename`);
    const name = chance(this.rng, 0.6) ? `Generated${index + 1}` : undefined;
    const variableDefs = [...this.#variables].map(([v, d]) => `$${v}: ${d.type}${d.defaultLiteral !== undefined ? ` = ${d.defaultLiteral}` : ''}`);
    const head = name || variableDefs.length > 0 ? `query${name ? ` ${name}` : ''}${variableDefs.length > 0 ? `(${variableDefs.join(', ')})` : ''} ` : '';
    let document = `${head}{ ${roots.join(' ')} }`;
    let operationName: string | undefined;
    // Now and then a second operation in the document, and the request names which one runs.
    if (name && chance(this.rng, 0.12)) {
      const other = `query Other${index + 1} { __typename topProducts(first: 1) { id } }`;
      document = chance(this.rng, 0.5) ? `${other}\n${document}` : `${document}\n${other}`;
      operationName = name;
    }
    const variables: Record<string, unknown> = {};
    for (const [v, d] of this.#variables) if (d.value !== undefined) variables[v] = d.value;
    return {
      query: [document, ...this.#fragments].join('\n'),
      variables: this.#variables.size > 0 || chance(this.rng, 0.3) ? variables : undefined,
      operationName,
    };
  }

  /** About `wanted` selections on `type` at `depth` (1 = root), with fragments and directives mixed in. */
  selections(type: GraphQLObjectType, depth: number, wanted: number): string[] {
    const fields = Object.values(type.getFields()).filter((f) => !this.exclude.has(`${type.name}.${f.name}`) && this.usable(type, f));
    const composite = fields.filter((f) => isCompositeType(getNamedType(f.type)));
    const leaves = fields.filter((f) => !isCompositeType(getNamedType(f.type)));
    const canNest = depth < this.maxDepth;
    const chosen: Array<GraphQLField<unknown, unknown>> = [];
    const weighted = (pool: ReadonlyArray<GraphQLField<unknown, unknown>>): GraphQLField<unknown, unknown> => {
      const favoured = pool.filter((f) => FAVOURED.has(`${type.name}.${f.name}`));
      return favoured.length > 0 && chance(this.rng, 0.4) ? pick(this.rng, favoured) : pick(this.rng, pool);
    };
    for (let i = 0; i < wanted; i++) {
      const nest = canNest && composite.length > 0 && (leaves.length === 0 || chance(this.rng, depth === 1 ? 1 : 0.45 / depth + 0.15));
      const pool = nest ? composite : leaves;
      if (pool.length === 0) continue;
      chosen.push(weighted(pool));
    }
    if (chosen.length === 0 && leaves.length > 0) chosen.push(pick(this.rng, leaves));
    const out: string[] = [];
    for (const field of chosen) {
      out.push(this.field(type, field, depth));
      // The same field twice under two aliases, each with its own arguments.
      if (field.args.length > 0 && chance(this.rng, 0.15)) out.push(this.field(type, field, depth, true));
      // The same (unaliased) field again: the two selections merge.
      else if (chance(this.rng, 0.06)) out.push(this.field(type, field, depth));
    }
    if (depth > 1 && chance(this.rng, 0.3)) out.splice(range(this.rng, 0, out.length), 0, chance(this.rng, 0.7) ? '__typename' : `${this.alias()}: __typename`);
    // An inline fragment around some of them: with or without a type condition, maybe conditional.
    if (out.length > 0 && chance(this.rng, 0.2)) {
      const from = range(this.rng, 0, out.length - 1);
      const inner = out.splice(from, range(this.rng, 1, out.length - from));
      const condition = chance(this.rng, 0.6) ? ` on ${type.name}` : '';
      out.splice(from, 0, `...${condition}${this.directive(0.4)} { ${inner.join(' ')} }`);
    }
    return out;
  }

  /** Fields whose arguments the generator can fill (every required one has values). */
  usable(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): boolean {
    const known = ARGUMENTS[`${type.name}.${field.name}`] ?? {};
    return field.args.every((a) => !isNonNullType(a.type) || a.name in known);
  }

  field(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, depth: number, forceAlias = false): string {
    const coordinate = `${type.name}.${field.name}`;
    const aliased = forceAlias || chance(this.rng, 0.15);
    const responseKey = aliased ? `${this.alias()}: ${field.name}` : field.name;
    let args = '';
    if (field.args.length > 0) {
      if (aliased) args = this.args(coordinate, field.args);
      else {
        const fixed = this.#canonical.get(coordinate) ?? this.args(coordinate, field.args);
        this.#canonical.set(coordinate, fixed);
        args = fixed;
      }
    }
    const directive = this.directive(0.12);
    const named = getNamedType(field.type);
    if (!isObjectType(named)) return `${responseKey}${args}${directive}`;
    return `${responseKey}${args}${directive} { ${this.subSelection(named, depth + 1)} }`;
  }

  /** The selection set of a composite field: inline, or (sometimes) a named fragment spread. */
  subSelection(type: GraphQLObjectType, depth: number): string {
    const reuse = this.#fragmentsByType.get(type.name);
    if (reuse && reuse.length > 0 && chance(this.rng, 0.3)) return `...${pick(this.rng, reuse)}${this.directive(0.2)}`;
    const inner = this.selections(type, depth, range(this.rng, 1, 3));
    if (!chance(this.rng, 0.18)) return inner.join(' ');
    const name = `F${++this.#names}${type.name}`;
    this.#fragments.push(`fragment ${name} on ${type.name} { ${inner.join(' ')} }`);
    this.#fragmentsByType.set(type.name, [...(reuse ?? []), name]);
    const extra = chance(this.rng, 0.3) ? ` ${this.selections(type, depth, 1).join(' ')}` : '';
    return `...${name}${this.directive(0.2)}${extra}`;
  }

  args(coordinate: string, args: readonly GraphQLArgument[]): string {
    const table = ARGUMENTS[coordinate] ?? {};
    const parts: string[] = [];
    for (const arg of args) {
      const source = table[arg.name];
      if (!source) continue;
      const value = source(this.rng);
      if (value === undefined) {
        // Left out, or (for a nullable argument) a variable nobody sends: the schema default applies.
        if (!isNonNullType(arg.type) && chance(this.rng, 0.2)) parts.push(`${arg.name}: $${this.variable(String(arg.type), undefined)}`);
        continue;
      }
      if (chance(this.rng, 0.35)) {
        const type = String(arg.type);
        // A nullable one may carry a default and then not be sent.
        if (!isNonNullType(arg.type) && chance(this.rng, 0.4)) {
          const omit = chance(this.rng, 0.5);
          parts.push(`${arg.name}: $${this.variable(type, omit ? undefined : value, literal(value, arg.type))}`);
        } else parts.push(`${arg.name}: $${this.variable(type, value)}`);
      } else parts.push(`${arg.name}: ${literal(value, arg.type)}`);
    }
    return parts.length > 0 ? `(${parts.join(', ')})` : '';
  }

  /** ` @include(if: …)` or ` @skip(if: …)` with probability `p`, else ''. */
  directive(p: number): string {
    if (!chance(this.rng, p)) return '';
    const name = chance(this.rng, 0.5) ? 'include' : 'skip';
    const on = chance(this.rng, 0.5);
    const r = this.rng();
    if (r < 0.4) return ` @${name}(if: ${on})`;
    if (r < 0.75) return ` @${name}(if: $${this.variable('Boolean!', on)})`;
    // Defaulted and not sent.
    return ` @${name}(if: $${this.variable('Boolean', undefined, String(on))})`;
  }

  variable(type: string, value: unknown, defaultLiteral?: string): string {
    const name = `v${this.#variables.size + 1}`;
    this.#variables.set(name, defaultLiteral === undefined ? { type, value } : { type, value, defaultLiteral });
    return name;
  }

  alias(): string {
    return `a${++this.#aliases}`;
  }
}

/** A JS value as a GraphQL literal of `type` (enums bare, strings quoted). */
function literal(value: unknown, type: GraphQLInputType): string {
  const nullable = getNullableType(type);
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const item = isListType(nullable) ? (nullable.ofType as GraphQLInputType) : nullable;
    return `[${value.map((v) => literal(v, item)).join(', ')}]`;
  }
  if (isEnumType(getNamedType(type))) return String(value);
  return JSON.stringify(value);
}
