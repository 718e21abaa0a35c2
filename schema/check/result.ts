import type { SchemaChange } from './diff/change-kinds.ts';
import type { ClientVersionRef, OperationProblem } from './operations.ts';

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
  /** The supergraph's API schema against the base's. */
  readonly changes: readonly AssessedChange[];
  /** Checked against the new API schema: the BFFs' supergraph operations and the registered `/graphql` clients. */
  readonly operations: OperationsReport;
  /** One contract per `bffs/<name>/schema.graphql`, checked against the registered clients of its door. */
  readonly bffs: readonly BffContractReport[];
  readonly clients: ClientsReport;
  /** Totals over the supergraph and every BFF. */
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
  /** The registered client version the operation belongs to; absent for a BFF's supergraph operation. */
  readonly client?: ClientVersionRef;
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

/** A BFF schema: the contract its clients are built against. */
export interface BffContractReport {
  readonly bff: string;
  /** `bffs/<bff>/schema.graphql`. */
  readonly file: string;
  readonly base: BffBaseReport;
  readonly changes: readonly AssessedChange[];
  /** The registered client operations of `/bff/<bff>/graphql`, against the new schema. */
  readonly operations: OperationsReport;
  /** `mobile 1.0`, `mobile 2.0`: the client versions whose operations were checked. */
  readonly versions: readonly string[];
  /** The schema does not parse or build (the gateway would not start): nothing else was checked. */
  readonly schemaError?: SchemaError;
}

export type BffBaseReport =
  | { readonly kind: 'compared'; readonly commit: string }
  | { readonly kind: 'added'; readonly commit: string }
  | { readonly kind: 'none'; readonly reason: string };

export interface SchemaError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** The client registry (`schema/clients/`): what it lists, and what is wrong in it. */
export interface ClientsReport {
  readonly dir: string;
  readonly clients: readonly ClientSummary[];
  readonly problems: readonly OperationProblem[];
}

export interface ClientSummary {
  readonly name: string;
  /** `/graphql` or `/bff/<name>/graphql`. */
  readonly door: string;
  readonly versions: readonly { readonly version: string; readonly operations: number }[];
}

export interface Summary {
  readonly breaking: number;
  readonly breakingUsed: number;
  readonly dangerous: number;
  readonly safe: number;
  /** Invalid operations, registry problems and BFF schemas that do not build. */
  readonly invalidOperations: number;
}
