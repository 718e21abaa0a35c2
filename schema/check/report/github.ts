import type { AssessedChange, CheckResult, SourceLocation } from '../result.ts';
import { describeChange, outcomeText } from './describe.ts';

type Level = 'error' | 'warning' | 'notice';

/**
 * GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), which the
 * runner turns into annotations on the pull request's files. A breaking change used by an
 * operation is annotated where the operation uses it, since that is the code that breaks;
 * other changes where the subgraph defines them. Safe changes are not annotated.
 */
export function renderGithub(result: CheckResult): string {
  const out: string[] = [];
  if (!result.composition.ok) {
    for (const e of result.composition.errors) {
      const where = [e.subgraphs.length > 0 ? `[${e.subgraphs.join(', ')}]` : '', e.coordinate ?? ''].filter(Boolean).join(' ');
      out.push(command('error', e.location, `Composition failed: ${e.code}`, `${where ? `${where}: ` : ''}${e.message}`));
    }
  }
  if (result.base.kind === 'none' && result.composition.ok) {
    out.push(command('notice', undefined, 'No base schema', `Breaking changes were not checked: ${result.base.reason}`));
  }
  const drift = result.drift;
  if (drift && !drift.ok) {
    const what = drift.reason === 'missing' ? 'is missing' : `differs from the fresh composition from line ${drift.line}`;
    out.push(
      command('error', { file: drift.file, ...(drift.line !== undefined ? { line: drift.line } : {}) }, 'Supergraph drift', `${drift.file} ${what}. Run \`npm run schema:compose\` and commit the result.`),
    );
  }
  for (const c of result.changes) out.push(...changeCommands(c));
  for (const p of result.operations.invalid) {
    const title = p.operations.length > 0 ? `Invalid operation ${p.operations.join(', ')}` : 'Invalid operation document';
    out.push(command('error', { file: p.file, line: p.line }, title, p.message, p.column));
  }
  out.push(`schema:check ${outcomeText[result.outcome]}`);
  return `${out.join('\n')}\n`;
}

function changeCommands(c: AssessedChange): string[] {
  if (c.severity === 'info') return [];
  const title = `${c.criticality === 'breaking' ? 'Breaking' : 'Dangerous'} change ${c.kind}: ${c.coordinate}`;
  if (c.severity === 'error') {
    return c.usedBy.map((use) => command('error', { file: use.file, line: use.line }, title, `${describeChange(c, { uses: false })}. Operation ${use.operation} uses it here.`));
  }
  return [command(c.severity, c.location, title, describeChange(c))];
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
