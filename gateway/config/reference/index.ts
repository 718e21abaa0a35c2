import { fileURLToPath } from 'node:url';
import { ENV_KEYS, SUBGRAPH_URL_ENV_NAME } from '../load.ts';
import { configJsonSchema } from './json-schema.ts';
import { configMarkdown } from './markdown.ts';
import { schemaDocs } from './schema-docs.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The committed reference files, relative to the repository root. */
export const REFERENCE_FILES = {
  jsonSchema: 'docs/config.schema.json',
  markdown: 'docs/config-reference.md',
} as const;

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

/**
 * The config reference as it should be committed, from the schema and its doc comments:
 * the JSON Schema (editor completion for config files) and the Markdown reference.
 * `npm run config:reference` writes them; a unit test fails when the committed ones differ.
 */
export function generateConfigReference(): GeneratedFile[] {
  const docs = schemaDocs(`${ROOT}gateway/config/schema.ts`, 'configSchema', `${ROOT}tsconfig.json`);
  const schema = configJsonSchema(docs);
  const env = [...ENV_KEYS.map(([name, path]) => ({ env: name, key: path.join('.') })), { env: SUBGRAPH_URL_ENV_NAME, key: 'subgraphs.<name>.url' }];
  return [
    { path: REFERENCE_FILES.jsonSchema, content: `${JSON.stringify(schema, null, 2)}\n` },
    { path: REFERENCE_FILES.markdown, content: configMarkdown(schema, env) },
  ];
}

/** Absolute path of a generated file. */
export function referencePath(file: GeneratedFile): string {
  return `${ROOT}${file.path}`;
}
