// Findings → diagnostics on the report document, capped per experiment and code: up to N per-run
// diagnostics plus one summary on the experiment line that always carries the full count, so
// 100,000 bad runs do not flood the Problems panel. The Problems panel counts each problem once:
// a summary over runs all listed individually is information; one that stands for unlisted runs
// keeps their severity.
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { DoctorResult } from '../core/doctor/doctor';
import type { Finding, FindingCode, Severity } from '../core/model';
import { RESETTABLE_PROFILES, type CleanupAction, type CleanupTarget } from '../shared/protocol';
import type { ReportModel } from './report';
import { pushTo } from '../core/collections';

export const SOURCE = 'Experiment Health';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

/** What a quick fix on this diagnostic does; carried in Diagnostic.data. */
export interface FixData { fixes: { action: CleanupAction; title: string; target: CleanupTarget }[] }

export function lineRange(text: string, line: number) {
  const content = text.split('\n')[line] ?? '';
  const start = content.length - content.trimStart().length;
  return { start: { line, character: start }, end: { line, character: content.length } };
}

export function buildDiagnostics(path: string, uri: string, result: DoctorResult, report: ReportModel, maxPerExperiment: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const perKey = new Map<string, Finding[]>();
  const resettable = RESETTABLE_PROFILES.includes(result.profile ?? '');
  for (const f of result.findings) {
    if (f.runId && f.experimentId !== undefined) {
      const k = `${f.experimentId}|${f.code}`;
      pushTo(perKey, k, f);
      continue;
    }
    const line = report.lines.findIndex((l) => l.finding === f);
    if (line < 0) continue;
    out.push(diagnostic(f, report, line, fixesFor(path, f, [], resettable)));
  }
  for (const [key, findings] of perKey) {
    const [experimentId, code] = key.split('|') as [string, FindingCode];
    const expLine = report.experimentLine.get(experimentId);
    const runIds = findings.map((f) => f.runId!);
    for (const f of findings.slice(0, maxPerExperiment)) {
      const line = report.runLine.get(f.runId!);
      if (line === undefined) continue;
      const related: DiagnosticRelatedInformation[] = expLine === undefined ? [] : [{
        location: { uri, range: lineRange(report.text, expLine) }, message: 'experiment',
      }];
      out.push(diagnostic(f, report, line, fixesFor(path, f, [f.runId!], resettable), related));
    }
    if (expLine !== undefined) {
      const first = findings[0];
      const summary: Finding = {
        ...first, runId: undefined, count: findings.length,
        severity: findings.length > maxPerExperiment ? first.severity : 'information',
        message: `${findings.length} run${findings.length === 1 ? '' : 's'} in this experiment: ${code}${findings.length > maxPerExperiment ? ` (${maxPerExperiment} listed individually)` : ''}.`,
      };
      const related = findings.slice(0, 5).flatMap((f) => {
        const l = report.runLine.get(f.runId!);
        return l === undefined ? [] : [{ location: { uri, range: lineRange(report.text, l) }, message: f.message }];
      });
      out.push(diagnostic(summary, report, expLine, fixesFor(path, summary, runIds, resettable, true), related));
    }
  }
  return out;
}

function diagnostic(f: Finding, report: ReportModel, line: number, data: FixData, related: DiagnosticRelatedInformation[] = []): Diagnostic {
  const d: Diagnostic = {
    range: lineRange(report.text, line),
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.code,
    message: f.message,
    data,
  };
  if (related.length) d.relatedInformation = related;
  return d;
}

/** The cleanups that fix a finding, with exactly the arguments the cleanup commands take. */
export function fixesFor(path: string, f: Finding, runIds: string[], resettable: boolean, whole = false): FixData {
  const target: CleanupTarget = { path, ...(f.experimentId !== undefined ? { experimentId: f.experimentId } : {}), ...(runIds.length ? { runIds } : {}) };
  const n = runIds.length;
  const runs = whole ? `${n} run${n === 1 ? '' : 's'}` : 'this run';
  switch (f.code) {
    case 'run/incomplete':
      return { fixes: [{ action: 'delete-incomplete', title: `Delete ${whole ? `${n} incomplete run${n === 1 ? '' : 's'}` : 'this incomplete run'} and their data…`, target }] };
    case 'run/stale':
      return { fixes: [
        { action: 'mark-stale', title: `Mark ${runs} as ended…`, target },
        ...(resettable ? [{ action: 'reset-stale' as const, title: `Reset ${runs} to pending…`, target }] : []),
      ] };
    case 'orphan/rows':
      return f.details?.kind === 'owned' && f.table
        ? { fixes: [{ action: 'delete-orphans', title: `Delete ${f.count} orphaned ${f.table} row${f.count === 1 ? '' : 's'}…`, target: { path, tables: [f.table] } }] }
        : { fixes: [] };
    default:
      return { fixes: [] };
  }
}
