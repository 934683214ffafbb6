import * as vscode from 'vscode';
import { DatabasesRequest, REPORT_LANGUAGE, REPORT_SCHEME, dbPathFromReportUri, type DatabaseSummary } from '../shared/protocol';
import { Disposable } from './disposable';
import type { ServerConnection } from './languageClient';

/**
 * One status bar item summing up every open database (`$(warning) 2 stale · 300 incomplete`);
 * clicking it focuses the explorer. Also offers a database picker other commands reuse.
 */
class StatusSummary extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('experimentHealth.summary', vscode.StatusBarAlignment.Left, 10));
  private summaries: DatabaseSummary[] = [];
  /** In a health report: that database's state (reading, ok, error), opening the log. */
  private readonly database = this.register(vscode.languages.createLanguageStatusItem('experimentHealth.database', { language: REPORT_LANGUAGE }));

  constructor(private readonly connection: ServerConnection) {
    super();
    this.database.name = 'Experiment Health database';
    this.database.command = { command: 'experimentHealth.showLog', title: 'Show Log' };
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.updateDatabaseItem()));
    this.item.name = 'Experiment Health';
    this.item.command = 'experimentHealth.runs.focus';
    this.register(connection.onDatabasesChanged(() => void this.update()));
    this.register(vscode.commands.registerCommand('experimentHealth.pickDatabase', (placeHolder?: string) => this.pick(placeHolder)));
    void this.update();
  }

  private async update(): Promise<void> {
    this.summaries = this.connection.started ? await this.connection.request(DatabasesRequest) : [];
    const s = summarize(this.summaries);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.backgroundColor = undefined;
    if (this.summaries.length) this.item.show(); else this.item.hide();
    this.updateDatabaseItem();
  }

  private updateDatabaseItem(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const path = uri?.scheme === REPORT_SCHEME ? dbPathFromReportUri(uri.toString(true)) : undefined;
    const s = this.summaries.find((x) => x.path === path);
    if (!s) { this.database.text = 'not open'; this.database.busy = false; return; }
    const text: Record<DatabaseSummary['status'], string> = {
      reading: 'reading…', ok: 'ok', 'unknown-schema': 'unknown schema', 'not-experiment-db': 'not an experiment database', error: 'cannot be read', gone: 'deleted or moved',
    };
    this.database.text = `${s.profile ?? 'database'}: ${text[s.status]}`;
    this.database.detail = s.message ?? s.notice;
    this.database.busy = s.status === 'reading';
    this.database.severity = s.status === 'error' || s.status === 'gone' ? vscode.LanguageStatusSeverity.Error
      : /being written|write is in progress|not valid/.test(s.notice ?? '') ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  /** A database for a palette command: the only one, or the user's choice; none open says how to open one. */
  private async pick(placeHolder = 'Choose a database'): Promise<DatabaseSummary[] | undefined> {
    this.summaries = await this.connection.request(DatabasesRequest);
    const open = this.summaries.filter((s) => s.status !== 'gone');
    if (!open.length) {
      const choice = await vscode.window.showInformationMessage('No experiment database is open. Open one, or add its path to the experimentHealth.databases setting.', 'Open Database…');
      if (choice) await vscode.commands.executeCommand('experimentHealth.openDatabase');
      return undefined;
    }
    if (open.length === 1) return open;
    const picked = await vscode.window.showQuickPick(open.map((s) => ({ label: vscode.workspace.asRelativePath(s.path), description: s.profile ?? s.status, summary: s })),
      { placeHolder });
    return picked ? [picked.summary] : undefined;
  }
}

export function summarize(summaries: DatabaseSummary[]): { text: string; tooltip: string } {
  const runs = { stale: 0, incomplete: 0, failed: 0, running: 0 };
  let errors = 0;
  for (const s of summaries) {
    for (const k of Object.keys(runs) as (keyof typeof runs)[]) runs[k] += s.runCounts[k] ?? 0;
    if (s.status === 'error') errors++;
  }
  const parts = [runs.stale && `${runs.stale} stale`, runs.incomplete && `${runs.incomplete} incomplete`, errors && `${errors} unreadable`].filter(Boolean);
  const icon = runs.stale || runs.incomplete || errors ? '$(warning)' : runs.running ? '$(sync~spin)' : '$(pass)';
  const text = `${icon} ${parts.length ? parts.join(' · ') : runs.running ? `${runs.running} running` : 'experiments healthy'}`;
  const tooltip = `Experiment Health: ${summaries.length} database${summaries.length === 1 ? '' : 's'}` +
    `${runs.running ? `, ${runs.running} running` : ''}${runs.failed ? `, ${runs.failed} failed` : ''}. Click to show the explorer.`;
  return { text, tooltip };
}

export function registerStatusBar(_context: vscode.ExtensionContext, connection: ServerConnection): vscode.Disposable {
  return new StatusSummary(connection);
}
