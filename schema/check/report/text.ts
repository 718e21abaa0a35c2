import type { AssessedChange, CheckResult, Severity } from '../result.ts';
import { at, describeBase, describeUse, outcomeText } from './describe.ts';

const MARK: Record<Severity, string> = { error: '✖ error  ', warning: '⚠ warning', notice: '• notice ', info: '· info   ' };

/** The human report: a status line per check, then the details of whatever needs them. */
export function renderText(result: CheckResult): string {
  const out: string[] = [];
  const { composition, drift, summary, operations } = result;

  out.push(composition.ok ? `schema:check against base ${describeBase(result.base)}` : 'schema:check');
  out.push('');
  if (!composition.ok) {
    out.push(`✖ composition  ${composition.errors.length} error(s) composing ${composition.subgraphs.join(', ')}`);
    for (const e of composition.errors) {
      const where = [e.subgraphs.length > 0 ? `[${e.subgraphs.join(', ')}]` : '', e.coordinate ?? '', at(e.location)].filter(Boolean).join(' ');
      out.push(`    ${e.code} ${where}`);
      out.push(`      ${e.message.split('\n').join('\n      ')}`);
    }
  } else {
    out.push(`✔ composition  ${composition.subgraphs.length} subgraphs (${composition.subgraphs.join(', ')})`);
  }

  if (drift) {
    if (drift.ok) out.push(`✔ drift        ${drift.file} is the fresh composition`);
    else if (drift.reason === 'missing') out.push(`✖ drift        ${drift.file} is missing: run \`npm run schema:compose\` and commit it`);
    else out.push(`✖ drift        ${drift.file} differs from the fresh composition from line ${drift.line}: run \`npm run schema:compose\` and commit it`);
  }

  if (composition.ok) {
    const mark = summary.breakingUsed > 0 ? '✖' : summary.breaking > 0 ? '⚠' : '✔';
    const base = result.base.kind === 'none' ? ' (no base to compare with)' : '';
    out.push(
      `${mark} changes      ${summary.breaking} breaking (${summary.breakingUsed} used by known operations), ${summary.dangerous} dangerous, ${summary.safe} safe${base}`,
    );
    const invalid = operations.invalid.length;
    out.push(
      `${invalid > 0 ? '✖' : '✔'} operations   ${operations.count} in ${operations.files} file(s)${invalid > 0 ? `, ${invalid} problem(s)` : ', all valid'}`,
    );
  }

  section(out, 'Breaking changes', result.changes.filter((c) => c.criticality === 'breaking'));
  section(out, 'Dangerous changes', result.changes.filter((c) => c.criticality === 'dangerous'));
  section(out, 'Safe changes', result.changes.filter((c) => c.criticality === 'safe'));

  if (operations.invalid.length > 0) {
    out.push('', 'Invalid operations');
    for (const p of operations.invalid) {
      const names = p.operations.length > 0 ? `${p.operations.join(', ')}: ` : '';
      out.push(`  ${p.file}:${p.line}:${p.column}  ${names}${p.message}`);
    }
  }

  out.push('', `Result: ${outcomeText[result.outcome]} (${Math.round(result.durationMs)} ms)`);
  return `${out.join('\n')}\n`;
}

function section(out: string[], title: string, changes: readonly AssessedChange[]): void {
  if (changes.length === 0) return;
  out.push('', `${title} (${changes.length})`);
  for (const c of changes) {
    const owners = c.subgraphs.length > 0 ? `  [${c.subgraphs.join(', ')}]` : '';
    out.push(`  ${MARK[c.severity]}  ${c.kind}  ${c.coordinate}${owners}`);
    out.push(`               ${c.message}${c.location ? ` (${at(c.location)})` : ''}`);
    for (const use of c.usedBy) out.push(`               used by ${describeUse(use)}`);
  }
}
