import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../gateway/config/schema.ts';
import { generateConfigReference, REFERENCE_FILES, referencePath } from '../../../gateway/config/reference/index.ts';

/**
 * docs/config.schema.json and docs/config-reference.md are generated from the zod schema
 * and the doc comments beside its keys; a schema change that is not followed by
 * `npm run config:reference` fails here.
 */
describe('the generated config reference', () => {
  const generated = generateConfigReference();
  const fileOf = (path: string): string => {
    const file = generated.find((f) => f.path === path);
    if (!file) throw new Error(`${path} is not generated`);
    return file.content;
  };

  it('is committed as generated (run `npm run config:reference` after changing the schema)', () => {
    for (const file of generated) {
      expect(readFileSync(referencePath(file), 'utf8'), `${file.path} is out of date: run npm run config:reference`).toBe(file.content);
    }
  });

  it('is a JSON Schema of every top-level key, with the doc comments and defaults of the zod schema', () => {
    const schema = JSON.parse(fileOf(REFERENCE_FILES.jsonSchema)) as {
      properties: Record<string, { properties?: Record<string, { description?: string; default?: unknown }> }>;
      additionalProperties: unknown;
    };
    expect(Object.keys(schema.properties)).toEqual(Object.keys(configSchema.shape));
    expect(schema.additionalProperties).toBe(false);
    const port = schema.properties.server?.properties?.port;
    expect(port?.default).toBe(configSchema.parse({}).server.port);
    // The JSDoc of gateway/config/schema.ts, and of a section from its own module.
    expect(port?.description).toMatch(/^Port to listen on; 0 picks a free one/);
    expect(schema.properties.rateLimit?.properties?.fallbackTier?.description).toMatch(/^Tier for a principal whose tier is none of the above/);
    // A comment that starts with a package name is prose, not a JSDoc tag.
    expect(schema.properties.supergraph?.properties?.apolloDataCollection?.description).toMatch(/^@apollo\/gateway's own usage data collection/);
  });

  it('documents each key in Markdown with its type, default and env var', () => {
    const markdown = fileOf(REFERENCE_FILES.markdown);
    expect(markdown).toContain('| `port` | integer 0–65535 | `4000` | Port to listen on; 0 picks a free one. Default 4000. **env** `PORT` |');
    expect(markdown).toContain('## `upstreamDefaults.retry`');
    expect(markdown).toContain('| `url` | URL | required | Where this subgraph\'s GraphQL endpoint is');
    expect(markdown).toContain('**env** `SUBGRAPH_<NAME>_URL`');
  });
});
