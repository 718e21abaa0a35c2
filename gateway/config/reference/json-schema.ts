import { z } from 'zod';
import { accessRequirementSchema } from '../../auth/config.ts';
import { limitOverrideSchema } from '../../rate-limit/config.ts';
import { configSchema, routeSchema } from '../schema.ts';

/** A JSON Schema node, as `z.toJSONSchema` builds them (plain JSON). */
export type JsonSchema = { [key: string]: unknown };

/** Where the upstream policy keys are described; per-upstream and per-route overrides point here. */
export const UPSTREAM_POLICY_REF = '#/properties/upstreamDefaults';
const DEFINITIONS = '#/definitions/';
/** Draft 7's formats. */
const STANDARD_FORMATS = new Set(['date-time', 'date', 'time', 'email', 'idn-email', 'hostname', 'idn-hostname', 'ipv4', 'ipv6', 'uri', 'uri-reference', 'iri', 'iri-reference', 'uri-template', 'json-pointer', 'relative-json-pointer', 'regex']);

/**
 * The JSON Schema of a config file, from the zod schema itself (`z.toJSONSchema`), so it
 * cannot disagree with what the loader accepts: input types (a key with a default is
 * optional), unknown keys refused, defaults and bounds as the loader applies them. Draft 7,
 * the draft editors' YAML and JSON language servers support best.
 *
 * What the zod schema cannot say itself is added: each key's doc comment (`docs`, read
 * from the source by `schemaDocs`); that `upstreams.<name>` and `routes[].policy` take the
 * keys of `upstreamDefaults` (the loader keeps them as plain records and validates each
 * merged over the defaults, so a partial override is not filled in with defaults that would
 * then win over `upstreamDefaults`); and a name for the schemas used in many places, so they
 * are described once.
 */
export function configJsonSchema(docs: ReadonlyMap<string, string>): JsonSchema {
  const policyOverrides = new Set<unknown>([configSchema.shape.upstreams.unwrap().valueType, routeSchema.shape.policy.unwrap()]);
  const shared = z.registry<{ id: string }>();
  shared.add(accessRequirementSchema, { id: 'AccessRequirement' });
  shared.add(limitOverrideSchema, { id: 'LimitOverride' });
  const generated: JsonSchema = z.toJSONSchema(configSchema, {
    target: 'draft-07',
    io: 'input',
    metadata: shared,
    override: (ctx) => {
      // zod names some checks as formats JSON Schema does not have (`starts_with`); the
      // `pattern` beside them says the same in a way every validator understands.
      if (typeof ctx.jsonSchema.format === 'string' && !STANDARD_FORMATS.has(ctx.jsonSchema.format)) delete ctx.jsonSchema.format;
      if (!policyOverrides.has(ctx.zodSchema)) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
      ctx.jsonSchema.$ref = UPSTREAM_POLICY_REF;
    },
  });
  const schema: JsonSchema = { title: 'bff-gateway configuration', ...generated };
  const definitions = isSchema(schema.definitions) ? schema.definitions : {};
  const describe = (node: JsonSchema, path: string): void => {
    const doc = docs.get(path);
    if (doc !== undefined) node.description = doc;
    // A definition is described where it is first used: its keys' docs are the same at every use.
    const name = definitionName(node);
    const definition = name === undefined ? undefined : definitions[name];
    if (name === undefined || !isSchema(definition) || definition.description !== undefined) return;
    definition.description = docs.get(`${path}#`) ?? '';
    walkChildren(definition, path, describe);
  };
  walkSchema(schema, '', describe);
  return schema;
}

/** The definition a node refers to (`$ref`, or draft 7's `allOf: [{ $ref }]` that keeps a default beside it). */
export function definitionName(node: JsonSchema): string | undefined {
  const only = Array.isArray(node.allOf) && node.allOf.length === 1 ? node.allOf[0] : undefined;
  const ref = typeof node.$ref === 'string' ? node.$ref : isSchema(only) && typeof only.$ref === 'string' ? only.$ref : undefined;
  return ref?.startsWith(DEFINITIONS) ? ref.slice(DEFINITIONS.length) : undefined;
}

/**
 * Visits every node with its path in `schemaDocs`' notation (`.key`, `[]`, `.*`, `|i`),
 * parents before children, keys in the schema's order. References are not followed.
 */
export function walkSchema(node: JsonSchema, path: string, visit: (node: JsonSchema, path: string) => void): void {
  visit(node, path);
  walkChildren(node, path, visit);
}

function walkChildren(node: JsonSchema, path: string, visit: (node: JsonSchema, path: string) => void): void {
  const child = (value: unknown, childPath: string): void => {
    if (isSchema(value)) walkSchema(value, childPath, visit);
  };
  if (isSchema(node.properties)) {
    for (const [key, value] of Object.entries(node.properties)) child(value, path === '' ? key : `${path}.${key}`);
  }
  child(node.additionalProperties, `${path}.*`);
  child(node.items, `${path}[]`);
  for (const union of [node.anyOf, node.oneOf]) {
    if (Array.isArray(union)) union.forEach((option, i) => child(option, `${path}|${i}`));
  }
}

export function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
