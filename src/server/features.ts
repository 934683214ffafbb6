// LSP features on the report documents: hovers with a run's details, the outline (experiments →
// runs), code lenses offering the cleanups that apply, and quick fixes from diagnostics' data.
import {
  CodeActionKind, SymbolKind, type CodeAction, type CodeLens, type Connection, type DocumentSymbol, type Hover,
} from 'vscode-languageserver/node';
import { ago, localDateTime } from '../core/doctor/time';
import { shownId } from '../core/ids';
import { CLEANUP_COMMANDS, RESETTABLE_PROFILES, dbPathFromReportUri, type CleanupTarget } from '../shared/protocol';
import type { FixData } from './diagnostics';
import { lineRange } from './diagnostics';
import type { DatabaseSession } from './session';

export function registerFeatures(connection: Connection, sessionFor: (path: string) => DatabaseSession | undefined): void {
  const fromUri = (uri: string) => { const p = dbPathFromReportUri(uri); return p ? sessionFor(p) : undefined; };

  connection.onHover(({ textDocument, position }): Hover | null => {
    const s = fromUri(textDocument.uri);
    const line = s?.report.lines[position.line];
    if (!s?.result || !line) return null;
    const md: string[] = [];
    if (line.kind === 'run' && line.runId) {
      const run = s.result.runs.find((r) => r.id === line.runId);
      if (!run) return null;
      md.push(`**Run** \`${shownId(run.id, s.result.idStyle)}\` — **${run.state}**`, '');
      const row = (k: string, v: unknown) => { if (v !== undefined && v !== '') md.push(`| ${k} | ${String(v).replace(/\|/g, '\\|')} |`); };
      md.push('| | |', '|---|---|');
      row('steps', run.stepsExpected !== undefined ? `${run.stepsDone ?? 0} of ${run.stepsExpected}` : run.stepsDone);
      const when = (iso: string | undefined) => iso && `${localDateTime(iso)} (${ago(Date.parse(iso), Date.now())})`;
      row('started', when(run.startedAt)); row('last activity', when(run.lastActivityAt)); row('finished', when(run.finishedAt));
      row('stored status', run.rawStatus); row('stop reason', run.stopReason); row('configuration', run.config); row('label', run.label);
      for (const f of s.findingsFor(undefined, run.id)) md.push('', `\`${f.code}\` ${f.message}`);
      if (run.error) md.push('', '```text', run.error.slice(0, 4000), '```');
    } else if (line.kind === 'experiment' && line.experimentId !== undefined) {
      const e = s.result.experiments.find((x) => x.id === line.experimentId);
      if (!e) return null;
      md.push(`**Experiment** ${e.label} (\`${shownId(e.id, s.result.idStyle)}\`) — **${e.state}**`, '');
      md.push(`${e.runTotal} runs: ${Object.entries(e.runCounts).map(([k, n]) => `${n} ${k}`).join(', ')}`);
      if (e.config) md.push('', `configuration: \`${e.config}\``);
      if (e.startedAt) md.push('', `started ${localDateTime(e.startedAt)}${e.finishedAt ? `, finished ${localDateTime(e.finishedAt)}` : ''}${e.lastActivityAt ? `, last activity ${localDateTime(e.lastActivityAt)}` : ''}`);
    } else if (line.kind === 'finding' && line.finding) {
      const f = line.finding;
      md.push(`\`${f.code}\` (${f.severity}) ${f.message}`);
      if (f.details) md.push('', '```json', JSON.stringify(f.details, null, 2).slice(0, 3000), '```');
    } else return null;
    return { contents: { kind: 'markdown', value: md.join('\n') }, range: lineRange(s.report.text, position.line) };
  });

  connection.onDocumentSymbol(({ textDocument }): DocumentSymbol[] => {
    const s = fromUri(textDocument.uri);
    if (!s?.result) return [];
    const symbols: DocumentSymbol[] = [];
    let current: DocumentSymbol | undefined;
    s.report.lines.forEach((l, i) => {
      const range = lineRange(s.report.text, i);
      if (l.kind === 'experiment') {
        const e = s.result!.experiments.find((x) => x.id === l.experimentId);
        current = { name: e?.label ?? l.experimentId ?? '', detail: e?.state, kind: SymbolKind.Namespace, range, selectionRange: range, children: [] };
        symbols.push(current);
      } else if (l.kind === 'run' && current) {
        const run = s.result!.runs.find((x) => x.id === l.runId);
        current.children!.push({ name: s.result!.shortIds[l.runId!] ?? l.runId!, detail: run?.state, kind: SymbolKind.Object, range, selectionRange: range });
      } else if (l.kind === 'database') {
        current = { name: 'database', kind: SymbolKind.Module, range, selectionRange: range, children: [] };
        symbols.push(current);
      }
    });
    return symbols;
  });

  connection.onCodeLens(({ textDocument }): CodeLens[] => {
    const s = fromUri(textDocument.uri);
    if (!s?.result) return [];
    const lenses: CodeLens[] = [];
    const resettable = RESETTABLE_PROFILES.includes(s.result.profile ?? '');
    for (const e of s.result.experiments) {
      const line = s.report.experimentLine.get(e.id);
      if (line === undefined) continue;
      const range = lineRange(s.report.text, line);
      const target: CleanupTarget = { path: s.path, experimentId: e.id };
      const incomplete = e.runCounts.incomplete ?? 0, stale = e.runCounts.stale ?? 0;
      if (incomplete) lenses.push({ range, command: { title: `$(trash) Delete ${incomplete} incomplete run${incomplete === 1 ? '' : 's'}…`, command: CLEANUP_COMMANDS['delete-incomplete'], arguments: [target] } });
      if (stale) lenses.push({ range, command: { title: `Mark ${stale} stale run${stale === 1 ? '' : 's'} as ended…`, command: CLEANUP_COMMANDS['mark-stale'], arguments: [target] } });
      if (stale && resettable) lenses.push({ range, command: { title: `Reset ${stale} stale run${stale === 1 ? '' : 's'} to pending…`, command: CLEANUP_COMMANDS['reset-stale'], arguments: [target] } });
      lenses.push({ range, command: { title: 'Charts', command: 'experimentHealth.showCharts', arguments: [{ path: s.path, experimentId: e.id }] } });
    }
    if (s.report.databaseLine !== undefined && s.result.findings.some((f) => f.code === 'orphan/rows' && f.details?.kind === 'owned')) {
      lenses.push({ range: lineRange(s.report.text, s.report.databaseLine), command: { title: '$(trash) Delete orphaned rows…', command: CLEANUP_COMMANDS['delete-orphans'], arguments: [{ path: s.path }] } });
    }
    return lenses;
  });

  connection.onCodeAction(({ context }): CodeAction[] => {
    const actions: CodeAction[] = [];
    for (const d of context.diagnostics) {
      const data = d.data as FixData | undefined;
      for (const fix of data?.fixes ?? []) {
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: actions.length === 0,
          command: { title: fix.title, command: CLEANUP_COMMANDS[fix.action], arguments: [fix.target] } });
      }
    }
    return actions;
  });
}
