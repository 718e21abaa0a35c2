import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The Guild's federation-gateway-audit (MIT), checked out beside this repository in
 * `../shared/conformance/federation-gateway-audit` (the same checkout `.ci/federation-audit`
 * runs; FED_AUDIT_SOURCE points elsewhere). Its 46 suites are subgraphs (SDL + resolvers)
 * and operations, written for its own runner (fets + graphql-yoga, which we do not install).
 * This module loads just the suites: their sources are copied to a temp directory with the
 * runner's two modules swapped for stand-ins that hand back what the suite declares
 * (`createSubgraph` → { name, typeDefs, resolvers }, `serve` → { id, subgraphs, tests }) and
 * `graphql` pointed at this project's copy. Nothing of the audit is committed here.
 */
export const AUDIT_SOURCE =
  process.env.FED_AUDIT_SOURCE ?? fileURLToPath(new URL('../../../../../shared/conformance/federation-gateway-audit/', import.meta.url));

export interface AuditSubgraph {
  readonly name: string;
  readonly typeDefs: string;
  readonly resolvers: Record<string, unknown>;
}

export interface AuditTest {
  readonly query: string;
  /** The audit's expectation (`errors: true` means "some error"); kept for reports only: we compare with stock. */
  readonly expected: { readonly data?: unknown; readonly errors?: boolean };
}

export interface AuditSuite {
  readonly id: string;
  readonly subgraphs: readonly AuditSubgraph[];
  readonly tests: readonly AuditTest[];
}

const STAND_INS: Readonly<Record<string, string>> = {
  'subgraph.ts': `export function createSubgraph(name: string, parameters: { typeDefs: string; resolvers: unknown }) {
  return { name, typeDefs: parameters.typeDefs, resolvers: parameters.resolvers };
}
`,
  'supergraph.ts': `export function serve(id: string, subgraphs: unknown[], tests: unknown) {
  return { id, subgraphs, tests };
}
`,
};

/** The suite ids (folder names), sorted. Throws, naming the path, when the checkout is missing. */
export function auditSuiteIds(): string[] {
  const dir = join(AUDIT_SOURCE, 'src/test-suites');
  if (!existsSync(dir)) {
    throw new Error(`the federation-gateway-audit sources are not at ${dir}: check out ../shared/conformance (or set FED_AUDIT_SOURCE)`);
  }
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort();
}

export interface LoadedAudit {
  /**
   * The suite from copy `copy` (0 or 1). The copies are separate modules: a suite's data
   * lives in module state, so subgraphs started from copy 1 do not see what mutations did
   * to copy 0's.
   */
  load(id: string, copy?: 0 | 1): Promise<AuditSuite>;
  /** Removes the temp copy. */
  dispose(): void;
}

/** Copies the audit's suites (rewritten as described above) to a temp directory, once. */
export function prepareAudit(): LoadedAudit {
  const src = join(AUDIT_SOURCE, 'src');
  const out = mkdtempSync(join(tmpdir(), 'fed-audit-suites-'));
  const graphql = createRequire(import.meta.url).resolve('graphql');
  for (const [file, text] of Object.entries(STAND_INS)) writeFileSync(join(out, file), text);
  for (const file of ['testkit.ts', 'env.ts']) writeFileSync(join(out, file), readFileSync(join(src, file), 'utf8'));
  for (const copy of ['copy-0', 'copy-1']) {
    for (const id of auditSuiteIds()) {
      mkdirSync(join(out, copy, id), { recursive: true });
      for (const file of readdirSync(join(src, 'test-suites', id)).filter((f) => f.endsWith('.ts'))) {
        const text = readFileSync(join(src, 'test-suites', id, file), 'utf8')
          .replaceAll('"../../subgraph.js"', '"../../subgraph.ts"')
          .replaceAll('"../../supergraph.js"', '"../../supergraph.ts"')
          .replaceAll(/from "graphql"/g, `from ${JSON.stringify(graphql)}`);
        writeFileSync(join(out, copy, id, file), text);
      }
    }
  }
  return {
    async load(id, copy = 0) {
      const module: unknown = await import(pathToFileURL(join(out, `copy-${copy}`, id, 'index.ts')).href);
      return suiteFrom(id, module);
    },
    dispose: () => rmSync(out, { recursive: true, force: true }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** Checks the shape the stand-ins produce (the suites are plain JS objects to us). */
function suiteFrom(id: string, module: unknown): AuditSuite {
  const declared = isRecord(module) ? module.default : undefined;
  if (!isRecord(declared) || !Array.isArray(declared.subgraphs)) throw new Error(`audit suite ${id}: no serve(...) default export`);
  const subgraphs = declared.subgraphs.map((s: unknown): AuditSubgraph => {
    if (!isRecord(s) || typeof s.name !== 'string' || typeof s.typeDefs !== 'string') throw new Error(`audit suite ${id}: a subgraph without name or typeDefs`);
    return { name: s.name, typeDefs: s.typeDefs, resolvers: isRecord(s.resolvers) ? s.resolvers : {} };
  });
  // A suite may declare its tests as a function (fresh random ids per run): called once.
  const raw: unknown = typeof declared.tests === 'function' ? (declared.tests as () => unknown)() : declared.tests;
  if (!Array.isArray(raw)) throw new Error(`audit suite ${id}: no tests`);
  const tests = raw.map((t: unknown): AuditTest => {
    if (!isRecord(t) || typeof t.query !== 'string') throw new Error(`audit suite ${id}: a test without a query`);
    return { query: t.query, expected: isRecord(t.expected) ? t.expected : {} };
  });
  return { id, subgraphs, tests };
}
