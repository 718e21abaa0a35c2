import type { OperationProblem } from '../operations.ts';
import type { AssessedChange, BffContractReport, CheckResult, ClientsReport, Severity } from '../result.ts';
import { at, describeBase, describeBffBase, describeClient, describeUse, outcomeText } from './describe.ts';

const MARK: Record<Severity, string> = { error: '✖ error  ', warning: '⚠ warning', notice: '• notice ', info: '· info   ' };

/** The human report: a status line per check, then the details of whatever needs them. */
export function renderText(result: CheckResult): string {
  const out: string[] = [];
  const { composition, drift, operations } = result;

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
    const base = result.base.kind === 'none' ? ' (no base to compare with)' : '';
    out.push(`${changesMark(result.changes)} changes      ${countChanges(result.changes, 'known operations')}${base}`);
    const invalid = operations.invalid.length;
    out.push(
      `${invalid > 0 ? '✖' : '✔'} operations   ${operations.count} in ${operations.files} file(s)${invalid > 0 ? `, ${invalid} problem(s)` : ', all valid'}`,
    );
    out.push(clientsLine(result.clients));
    for (const bff of result.bffs) out.push(bffLine(bff));
  }

  changeSections(out, '', result.changes);
  problems(out, 'Invalid operations', operations.invalid);
  for (const bff of result.bffs) {
    if (bff.schemaError) {
      const e = bff.schemaError;
      out.push('', `BFF ${bff.bff}: schema does not build`, `  ${e.file}:${e.line}:${e.column}  ${e.message}`);
    }
    changeSections(out, ` in bff ${bff.bff}`, bff.changes);
    problems(out, `Invalid operations against bff ${bff.bff}`, bff.operations.invalid);
  }
  problems(out, `Client registry problems (${result.clients.dir})`, result.clients.problems);

  out.push('', `Result: ${outcomeText[result.outcome]} (${Math.round(result.durationMs)} ms)`);
  return `${out.join('\n')}\n`;
}

function changesMark(changes: readonly AssessedChange[]): string {
  return changes.some((c) => c.severity === 'error') ? '✖' : changes.some((c) => c.criticality === 'breaking') ? '⚠' : '✔';
}

function countChanges(changes: readonly AssessedChange[], users: string): string {
  const count = (criticality: AssessedChange['criticality']): number => changes.filter((c) => c.criticality === criticality).length;
  const used = changes.filter((c) => c.severity === 'error').length;
  return `${count('breaking')} breaking (${used} used by ${users}), ${count('dangerous')} dangerous, ${count('safe')} safe`;
}

function clientsLine(clients: ClientsReport): string {
  const versions = clients.clients.reduce((n, c) => n + c.versions.length, 0);
  const listed = clients.clients.map((c) => `${c.name} ${c.versions.map((v) => v.version).join('/') || '(none)'}`).join(', ');
  const problemCount = clients.problems.length > 0 ? `, ${clients.problems.length} problem(s)` : '';
  return `${clients.problems.length > 0 ? '✖' : '✔'} clients      ${clients.clients.length} client(s), ${versions} version(s) in ${clients.dir}${listed ? ` (${listed})` : ''}${problemCount}`;
}

function bffLine(bff: BffContractReport): string {
  const label = `bff ${bff.bff}`.padEnd(12);
  if (bff.schemaError) return `✖ ${label} ${bff.file} does not build`;
  const invalid = bff.operations.invalid.length;
  const mark = invalid > 0 || bff.changes.some((c) => c.severity === 'error') ? '✖' : changesMark(bff.changes);
  const clients = bff.versions.length > 0 ? bff.versions.join(', ') : 'no registered client';
  const ops = `${bff.operations.count} operation(s) of ${clients}${invalid > 0 ? `, ${invalid} problem(s)` : bff.operations.count > 0 ? ', all valid' : ''}`;
  return `${mark} ${label} ${bff.file} ${describeBffBase(bff.base)}: ${countChanges(bff.changes, 'listed client versions')}; ${ops}`;
}

function changeSections(out: string[], where: string, changes: readonly AssessedChange[]): void {
  section(out, `Breaking changes${where}`, changes.filter((c) => c.criticality === 'breaking'));
  section(out, `Dangerous changes${where}`, changes.filter((c) => c.criticality === 'dangerous'));
  section(out, `Safe changes${where}`, changes.filter((c) => c.criticality === 'safe'));
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

function problems(out: string[], title: string, list: readonly OperationProblem[]): void {
  if (list.length === 0) return;
  out.push('', title);
  for (const p of list) {
    const who = [p.client ? describeClient(p.client) : '', p.operations.join(', ')].filter(Boolean).join(' ');
    out.push(`  ${p.file}:${p.line}:${p.column}  ${who ? `${who}: ` : ''}${p.message}`);
  }
}
