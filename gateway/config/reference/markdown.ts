import { definitionName, isSchema, UPSTREAM_POLICY_REF, type JsonSchema } from './json-schema.ts';

/** An env var and the config key it sets (`subgraphs.<name>.url` for the per-subgraph one). */
export interface EnvBinding {
  readonly env: string;
  readonly key: string;
}

interface Section {
  readonly path: string;
  readonly description: string | undefined;
  readonly rows: string[];
}

const HEADER = `# Configuration reference

<!-- Generated from gateway/config/schema.ts by \`npm run config:reference\`; do not edit by hand. -->

Every key the gateway's config accepts, with its type, its default and why it is there;
generated from the zod schema the loader validates with, and from the doc comment beside
each key. Unknown keys are refused. Sources, later wins: defaults < the file named by
\`GATEWAY_CONFIG\` (YAML, or JSON when it ends in \`.json\`) < environment variables (the
**env** column) < programmatic overrides; under \`npm start\` the demo's wiring of its own
upstreams sits just above the defaults. Objects merge key by key, lists are replaced,
except \`routes\`, which merge by name.

The same schema as JSON Schema, for editors: [config.schema.json](config.schema.json). In a
YAML config file, a first line of
\`# yaml-language-server: $schema=<path to>/docs/config.schema.json\` gives completion,
hover docs and validation in editors that use the YAML language server (VS Code's YAML
extension, Neovim, Helix, …); a JSON file can say \`"$schema": "…/docs/config.schema.json"\`
only if it is not read by the gateway (the key would be refused), so point the editor at
the schema in its settings instead.
`;

/** The Markdown reference: one table per object of the schema, in the schema's order. */
export function configMarkdown(schema: JsonSchema, env: readonly EnvBinding[]): string {
  const envOf = new Map(env.map((b) => [b.key, b.env]));
  const sections: Section[] = [];
  collect(schema, '', undefined, sections, envOf);
  const [root, ...rest] = sections;
  const parts = [HEADER];
  if (root) parts.push(`## Top-level keys\n\n${table(root.rows)}`);
  for (const section of rest) parts.push(renderSection('##', `\`${section.path}\``, section));
  const definitions = isSchema(schema.definitions) ? Object.entries(schema.definitions) : [];
  if (definitions.length > 0) parts.push('## Shared types\n\nShapes used under several keys.');
  for (const [name, definition] of definitions) {
    if (!isSchema(definition)) continue;
    const options = Array.isArray(definition.oneOf) ? definition.oneOf.filter(isSchema) : undefined;
    if (options) {
      const rows = options.map((o) => `| ${escape(typeOf(o))} | ${optionDocs(o)} |`);
      parts.push([`### \`${name}\``, text(definition.description) ?? '', 'One of:', ['| shape | description |', '|---|---|', ...rows].join('\n')].filter((p) => p !== '').join('\n\n'));
      continue;
    }
    const own: Section[] = [];
    collect(definition, name, undefined, own, envOf);
    own.forEach((section, i) => parts.push(renderSection(i === 0 ? '###' : '####', `\`${section.path}\``, section)));
  }
  return `${parts.join('\n\n')}\n`;
}

function renderSection(level: string, title: string, section: Section): string {
  return [`${level} ${title}`, section.description ?? '', section.rows.length > 0 ? table(section.rows) : ''].filter((p) => p !== '').join('\n\n');
}

/** The docs of a union option's keys, `key: doc`. */
function optionDocs(option: JsonSchema): string {
  const properties = isSchema(option.properties) ? Object.entries(option.properties) : [];
  return properties
    .flatMap(([key, value]) => (isSchema(value) && typeof value.description === 'string' ? [`\`${key}\`: ${cell(value.description)}`] : []))
    .join(' ');
}

function collect(node: JsonSchema, path: string, inherited: string | undefined, out: Section[], envOf: ReadonlyMap<string, string>): void {
  const rows: string[] = [];
  const below: Array<[JsonSchema, string, string | undefined]> = [];
  const required = new Set(Array.isArray(node.required) ? node.required.filter((k): k is string => typeof k === 'string') : []);
  const properties = isSchema(node.properties) ? node.properties : {};
  for (const [key, value] of Object.entries(properties)) {
    if (!isSchema(value)) continue;
    const keyPath = path === '' ? key : `${path}.${key}`;
    const description = text(value.description);
    const items = isSchema(value.items) ? value.items : undefined;
    const values = isSchema(value.additionalProperties) ? value.additionalProperties : undefined;
    if (definitionName(value) === undefined && isSchema(value.properties)) {
      // An object: its own section. At the top level it is listed too, as a table of contents.
      if (path === '') rows.push(row(key, 'object', '', summary(description), undefined));
      below.push([value, keyPath, description]);
    } else if (items && isSchema(items.properties)) {
      rows.push(row(key, `list of objects (\`${keyPath}[]\`)`, defaultOf(value, required.has(key)), description, envOf.get(keyPath)));
      below.push([items, `${keyPath}[]`, description]);
    } else if (values && isSchema(values.properties)) {
      rows.push(row(key, `map: ${keysOf(value)} → object (\`${keyPath}.<name>\`)`, defaultOf(value, required.has(key)), description, envOf.get(keyPath)));
      below.push([values, `${keyPath}.<name>`, description]);
    } else {
      rows.push(row(key, typeOf(value), defaultOf(value, required.has(key)), description, envOf.get(keyPath)));
    }
  }
  out.push({ path, description: text(node.description) ?? inherited, rows });
  for (const [child, childPath, description] of below) collect(child, childPath, description, out, envOf);
}

function row(key: string, type: string, defaultValue: string, description: string | undefined, envVar: string | undefined): string {
  const doc = [description ? cell(description) : '', envVar ? `**env** \`${envVar}\`` : ''].filter((p) => p !== '').join(' ');
  return `| \`${key}\` | ${escape(type)} | ${defaultValue} | ${doc} |`;
}

function table(rows: readonly string[]): string {
  return ['| key | type | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

function defaultOf(node: JsonSchema, required: boolean): string {
  if (required) return 'required';
  if (!('default' in node)) return '';
  return `\`${escape(JSON.stringify(node.default))}\``;
}

/** A readable type: `integer ≥ 1`, `"open" \| "closed"`, `list of string`, `URL`, … */
export function typeOf(node: JsonSchema): string {
  const definition = definitionName(node);
  if (definition !== undefined) return `[\`${definition}\`](#${definition.toLowerCase()})`;
  if (typeof node.$ref === 'string') return refName(node.$ref);
  if (Array.isArray(node.allOf) && node.allOf.length === 1 && isSchema(node.allOf[0])) return typeOf(node.allOf[0]);
  if ('const' in node) return JSON.stringify(node.const);
  if (Array.isArray(node.enum)) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = Array.isArray(node.oneOf) ? node.oneOf : Array.isArray(node.anyOf) ? node.anyOf : undefined;
  if (union) return union.filter(isSchema).map(typeOf).join(' | ');
  switch (node.type) {
    case 'string':
      if (node.format === 'uri') return 'URL';
      return typeof node.pattern === 'string' ? `string matching \`${node.pattern}\`` : typeof node.minLength === 'number' && node.minLength > 0 ? 'non-empty string' : 'string';
    case 'integer':
    case 'number':
      return `${node.type}${bounds(node)}`;
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = isSchema(node.items) ? typeOf(node.items) : 'any';
      const of = items.includes(' | ') ? `(${items})` : items;
      const min = typeof node.minItems === 'number' ? node.minItems : 0;
      return min === 0 ? `list of ${of}` : min === 1 ? `non-empty list of ${of}` : `list of at least ${min} ${of}`;
    }
    case 'object':
      if (isSchema(node.properties)) return inlineObject(node);
      if (isSchema(node.additionalProperties)) return `map: ${keysOf(node)} → ${typeOf(node.additionalProperties)}`;
      return 'object';
    default:
      return 'any';
  }
}

function inlineObject(node: JsonSchema): string {
  const properties = isSchema(node.properties) ? node.properties : {};
  const fields = Object.entries(properties)
    .filter((entry): entry is [string, JsonSchema] => isSchema(entry[1]))
    .map(([key, value]) => `${key}: ${typeOf(value)}`);
  return `{ ${fields.join(', ')} }`;
}

function keysOf(node: JsonSchema): string {
  const names = isSchema(node.propertyNames) ? node.propertyNames : undefined;
  return names && Array.isArray(names.enum) ? names.enum.map((v) => JSON.stringify(v)).join(' | ') : 'name';
}

function bounds(node: JsonSchema): string {
  const min = typeof node.minimum === 'number' ? node.minimum : typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum : undefined;
  const max = typeof node.maximum === 'number' && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  const above = typeof node.exclusiveMinimum === 'number' ? '>' : '≥';
  if (min !== undefined && max !== undefined) return above === '≥' ? ` ${min}–${max}` : ` > ${min}, ≤ ${max}`;
  if (min !== undefined && min > Number.MIN_SAFE_INTEGER) return ` ${above} ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function refName(ref: string): string {
  return ref === UPSTREAM_POLICY_REF ? 'the keys of `upstreamDefaults`, any of them' : ref;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The first sentence, for the table of contents. */
function summary(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const first = description.split('\n')[0] ?? '';
  const end = first.search(/\.(\s|$)/);
  return end > 0 ? first.slice(0, end + 1) : first;
}

/** Text in a table cell: one line, paragraphs and list items kept apart by `<br>`. */
function cell(value: string): string {
  return escape(value).replace(/\n\n/g, '<br><br>').replace(/\n/g, '<br>');
}

function escape(value: string): string {
  return value.replace(/\|/g, '\\|');
}
