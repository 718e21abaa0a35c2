import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLError, Source, buildASTSchema, concatAST, parse, validateSchema, type GraphQLSchema } from 'graphql';
// buildASTSchema's own SDL validation throws a plain Error without locations; this is the
// same validation, answering GraphQLErrors that point at the line.
import { validateSDL } from 'graphql/validation/validate.js';
import { rateLimitDirectiveTypeDefs } from '../../gateway/rate-limit/directive-typedefs.ts';
import { assessChanges, usageOf } from './assess.ts';
import type { Git } from './base/git.ts';
import type { ClientOperationSet } from './client-operations.ts';
import { diffSchemas } from './diff/diff-schemas.ts';
import { validateOperations } from './operations.ts';
import type { BffBaseReport, BffContractReport, SchemaError } from './result.ts';
import { SubgraphIndex } from './subgraph-index.ts';

/** One BFF's schema file in the working tree. */
export interface BffSchemaFile {
  readonly name: string;
  /** `bffs/<name>/schema.graphql`. */
  readonly file: string;
  readonly sdl: string;
}

/** Where to find each BFF's base schema: a commit, or why there is none. */
export type BffBase = { readonly kind: 'git'; readonly git: Git; readonly commit: string } | { readonly kind: 'none'; readonly reason: string };

/** Every `bffs/<name>/schema.graphql`, sorted by name. */
export async function discoverBffSchemas(root: string): Promise<BffSchemaFile[]> {
  let names: string[];
  try {
    names = (await readdir(join(root, 'bffs'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
  const found: BffSchemaFile[] = [];
  for (const name of names) {
    const file = `bffs/${name}/schema.graphql`;
    try {
      found.push({ name, file, sdl: await readFile(join(root, file), 'utf8') });
    } catch {
      // a folder without a schema (bffs/kit) is no BFF
    }
  }
  return found;
}

/**
 * The schema a BFF serves: its SDL plus the gateway's `@rateLimit` definition, as
 * bffs/kit/define-bff.ts builds it (resolvers aside). Two sources, so lines in errors and
 * locations stay the file's own. Throws GraphQLError when the SDL does not parse or build.
 */
export function buildBffSchema(sdl: string, file: string): GraphQLSchema {
  const gatewayDirectives = parse(new Source(rateLimitDirectiveTypeDefs, 'gateway/rate-limit/field-limits.ts'));
  const document = concatAST([gatewayDirectives, parse(new Source(sdl, file))]);
  const sdlError = validateSDL(document)[0];
  if (sdlError) throw sdlError;
  const schema = buildASTSchema(document, { assumeValidSDL: true });
  const schemaError = validateSchema(schema)[0];
  if (schemaError) throw schemaError;
  return schema;
}

/**
 * One BFF's contract: its schema diffed against the base's, and the registered operations
 * of its clients validated against it and walked for what they use. A breaking change an
 * operation of a listed client version uses is an error naming client, version, operation,
 * file and line; retiring the version (deleting its registry folder) is what lets it pass.
 */
export async function checkBffContract(bff: BffSchemaFile, base: BffBase, clients: ClientOperationSet): Promise<BffContractReport> {
  const operationsReport = (invalid: BffContractReport['operations']['invalid']) => ({
    files: clients.files.length,
    count: clients.operations.length,
    invalid,
  });
  let schema: GraphQLSchema;
  try {
    schema = buildBffSchema(bff.sdl, bff.file);
  } catch (error) {
    return {
      bff: bff.name,
      file: bff.file,
      base: { kind: 'none', reason: 'not compared: the schema does not build' },
      changes: [],
      operations: operationsReport([]),
      versions: clients.versions,
      schemaError: schemaErrorOf(error, bff.file),
    };
  }

  const loaded = await loadBaseSchema(bff, base);
  const changes = loaded.schema ? diffSchemas(loaded.schema, schema) : [];
  const usage = usageOf(clients.operations, loaded.schema ? [loaded.schema, schema] : [schema]);
  // The index's "subgraph" is the BFF itself: it gives definitions their line in the file.
  const newIndex = new SubgraphIndex([{ name: bff.name, sdl: bff.sdl, file: bff.file }], true);
  const baseIndex = new SubgraphIndex(loaded.sdl !== undefined ? [{ name: bff.name, sdl: loaded.sdl }] : [], false);
  const assessed = assessChanges(changes, usage, newIndex, baseIndex, new Map([[bff.name, bff.file]])).map((c) => ({ ...c, subgraphs: [] }));
  return {
    bff: bff.name,
    file: bff.file,
    base: loaded.report,
    changes: assessed,
    operations: operationsReport(validateOperations(schema, clients.operations)),
    versions: clients.versions,
  };
}

async function loadBaseSchema(bff: BffSchemaFile, base: BffBase): Promise<{ report: BffBaseReport; schema?: GraphQLSchema; sdl?: string }> {
  if (base.kind === 'none') return { report: { kind: 'none', reason: base.reason } };
  const sdl = await base.git.show(base.commit, bff.file);
  if (sdl === undefined) return { report: { kind: 'added', commit: base.commit } };
  try {
    return { report: { kind: 'compared', commit: base.commit }, schema: buildBffSchema(sdl, bff.file), sdl };
  } catch (error) {
    return { report: { kind: 'none', reason: `the base's ${bff.file} does not build: ${(error as Error).message}` } };
  }
}

function schemaErrorOf(error: unknown, file: string): SchemaError {
  if (!(error instanceof GraphQLError)) return { file, line: 1, column: 1, message: String(error) };
  const location = error.locations?.[0];
  return { file: error.source?.name ?? file, line: location?.line ?? 1, column: location?.column ?? 1, message: error.message };
}
