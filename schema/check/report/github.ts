import type { OperationProblem } from '../operations.ts';
import type { AssessedChange, CheckResult, SourceLocation } from '../result.ts';
import { describeChange, describeClient, describeOperation, outcomeText, SUPERGRAPH, type Contract } from './describe.ts';

type Level = 'error' | 'warning' | 'notice';

interface Annotation {
  readonly level: Level;
  readonly location: SourceLocation | undefined;
  readonly title: string;
  readonly message: string;
  column?: number;
  /** Validation errors folded into a breaking change's annotation on the same line. */
  readonly because?: string[];
}

/**
 * GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), which the
 * runner turns into annotations on the pull request's files. A breaking change used by an
 * operation is annotated where the operation uses it, since that is the code that breaks;
 * other changes where the subgraph (or BFF schema) defines them. Safe changes are not
 * annotated. One line gets one annotation per change: operations sharing the line are
 * named together, and the validation error an operation gets there joins the change's
 * annotation instead of being a second one.
 */
export function renderGithub(result: CheckResult): string {
  const out: Annotation[] = [];
  if (!result.composition.ok) {
    for (const e of result.composition.errors) {
      const where = [e.subgraphs.length > 0 ? `[${e.subgraphs.join(', ')}]` : '', e.coordinate ?? ''].filter(Boolean).join(' ');
      out.push(annotation('error', e.location, `Composition failed: ${e.code}`, `${where ? `${where}: ` : ''}${e.message}`));
    }
  }
  if (result.base.kind === 'none' && result.composition.ok) {
    out.push(annotation('notice', undefined, 'No base schema', `Breaking changes were not checked: ${result.base.reason}`));
  }
  const drift = result.drift;
  if (drift && !drift.ok) {
    const what = drift.reason === 'missing' ? 'is missing' : `differs from the fresh composition from line ${drift.line}`;
    out.push(
      annotation('error', { file: drift.file, ...(drift.line !== undefined ? { line: drift.line } : {}) }, 'Supergraph drift', `${drift.file} ${what}. Run \`npm run schema:compose\` and commit the result.`),
    );
  }
  contract(out, SUPERGRAPH, result.changes, result.operations.invalid);
  for (const bff of result.bffs) {
    if (bff.schemaError) {
      const e = bff.schemaError;
      out.push({ ...annotation('error', { file: e.file, line: e.line }, `BFF schema ${bff.bff} does not build`, e.message), column: e.column });
    }
    if (bff.base.kind === 'none' && !bff.schemaError && result.base.kind !== 'none') {
      out.push(annotation('notice', { file: bff.file }, `BFF ${bff.bff}: no base schema`, `Breaking changes of ${bff.file} were not checked: ${bff.base.reason}`));
    }
    contract(out, { kind: 'bff', bff: bff.bff }, bff.changes, bff.operations.invalid);
  }
  for (const p of result.clients.problems) {
    const title = `Client registry${p.client ? ` (${describeClient(p.client)})` : ''}`;
    out.push({ ...annotation('error', { file: p.file, line: p.line }, title, p.message), column: p.column });
  }
  const lines = out.map((a) => command(a.level, a.location, a.title, messageOf(a), a.column));
  lines.push(`schema:check ${outcomeText[result.outcome]}`);
  return `${lines.join('\n')}\n`;
}

/** One schema's changes and invalid operations, with the double reports folded. */
function contract(out: Annotation[], which: Contract, changes: readonly AssessedChange[], invalid: readonly OperationProblem[]): void {
  const byLine = new Map<string, Annotation>();
  for (const c of changes) {
    if (c.severity === 'info') continue;
    const title = `${c.criticality === 'breaking' ? 'Breaking' : 'Dangerous'} change ${c.kind}: ${c.coordinate}${which.kind === 'bff' ? ` (bff ${which.bff})` : ''}`;
    if (c.severity !== 'error') {
      out.push(annotation(c.severity, c.location, title, describeChange(c, { uses: true, contract: which })));
      continue;
    }
    const sites = new Map<string, { file: string; line: number; operations: string[] }>();
    for (const use of c.usedBy) {
      const key = `${use.file}:${use.line}`;
      const site = sites.get(key) ?? { file: use.file, line: use.line, operations: [] };
      site.operations.push(describeOperation(use.operation, use.client));
      sites.set(key, site);
    }
    for (const [key, site] of sites) {
      const who = site.operations.length === 1 ? `Operation ${site.operations[0]} uses` : `Operations ${site.operations.join(', ')} use`;
      const a = { ...annotation('error', { file: site.file, line: site.line }, title, `${describeChange(c, { uses: false, contract: which })}. ${who} it here`), because: [] };
      out.push(a);
      if (!byLine.has(key)) byLine.set(key, a);
    }
  }
  for (const p of invalid) {
    const same = byLine.get(`${p.file}:${p.line}`);
    if (same?.because) {
      // The operation is invalid because of the change annotated on this line: say it once.
      if (!same.because.includes(p.message)) same.because.push(p.message);
      same.column ??= p.column;
      continue;
    }
    const names = p.operations.map((name) => describeOperation(name, p.client));
    const title = names.length > 0 ? `Invalid operation ${names.join(', ')}` : `Invalid operation document${p.client ? ` (${describeClient(p.client)})` : ''}`;
    out.push({ ...annotation('error', { file: p.file, line: p.line }, title, p.message), column: p.column });
  }
}

function annotation(level: Level, location: SourceLocation | undefined, title: string, message: string): Annotation {
  return { level, location, title, message };
}

/** A use's sentence ends with its period, or with the validation errors it causes there. */
function messageOf(a: Annotation): string {
  if (a.because === undefined) return a.message;
  return a.because.length > 0 ? `${a.message}: ${a.because.join(' ')}` : `${a.message}.`;
}

function command(level: Level, location: SourceLocation | undefined, title: string, message: string, column?: number): string {
  const props: string[] = [];
  if (location) {
    props.push(`file=${escapeProperty(location.file)}`);
    if (location.line !== undefined) props.push(`line=${location.line}`);
    if (column !== undefined) props.push(`col=${column}`);
  }
  props.push(`title=${escapeProperty(title)}`);
  return `::${level} ${props.join(',')}::${escapeData(message)}`;
}

// The runner's own escaping rules (actions/toolkit `command.ts`).
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
