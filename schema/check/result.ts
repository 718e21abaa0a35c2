import type { SchemaChange } from './diff/change-kinds.ts';
import type { OperationProblem } from './operations.ts';

/**
 * What one `schema:check` found. Reports render it; the CLI maps `outcome` to an exit code
 * (exit-codes.ts). Paths are relative to the checked root, with `/` separators.
 */
export interface CheckResult {
  readonly outcome: CheckOutcome;
  readonly composition: CompositionReport;
  /** Absent when composition failed: there is nothing to compare. */
  readonly drift?: DriftReport;
  readonly base: BaseReport;
  readonly changes: readonly AssessedChange[];
  readonly operations: OperationsReport;
  readonly summary: Summary;
  readonly durationMs: number;
}

/** The worst thing found, in order of precedence: one outcome per run. */
export type CheckOutcome = 'passed' | 'operations-failed' | 'drift' | 'composition-failed';

/**
 * How much a finding matters. Breaking changes are `error` when a known operation uses
 * them and `warning` otherwise; dangerous ones `warning` when used and `notice` otherwise;
 * safe ones `info`.
 */
export type Severity = 'error' | 'warning' | 'notice' | 'info';

export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
}

export type CompositionReport =
  | { readonly ok: true; readonly subgraphs: readonly string[] }
  | { readonly ok: false; readonly subgraphs: readonly string[]; readonly errors: readonly CompositionError[] };

export interface CompositionError {
  readonly code: string;
  readonly message: string;
  readonly subgraphs: readonly string[];
  readonly coordinate?: string;
  readonly location?: SourceLocation;
}

export interface DriftReport {
  readonly ok: boolean;
  readonly file: string;
  /** Why it drifted: the file is missing, or differs from the fresh composition at `line`. */
  readonly reason?: 'missing' | 'different';
  readonly line?: number;
}

export type BaseReport =
  | { readonly kind: 'git'; readonly ref: string; readonly commit: string; readonly from: 'composed' | 'committed-supergraph' }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'none'; readonly reason: string };

export interface OperationUse {
  readonly operation: string;
  /** Where the operation uses the changed element (may be a fragment in another file). */
  readonly file: string;
  readonly line: number;
}

export interface AssessedChange extends SchemaChange {
  readonly severity: Severity;
  /** Subgraphs whose SDL defines (or, for removals, defined) the element. */
  readonly subgraphs: readonly string[];
  /** The first definition in the working tree, when there is one. */
  readonly location?: SourceLocation;
  readonly usedBy: readonly OperationUse[];
}

export interface OperationsReport {
  readonly files: number;
  readonly count: number;
  /** Operations that do not parse, do not resolve or do not validate against the new schema. */
  readonly invalid: readonly OperationProblem[];
}

export interface Summary {
  readonly breaking: number;
  readonly breakingUsed: number;
  readonly dangerous: number;
  readonly safe: number;
  readonly invalidOperations: number;
}
