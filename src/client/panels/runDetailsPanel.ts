// Run details: an editor webview panel for one run (every column, timings, why it is in its state,
// error text, child counts, steps), with the cleanups that apply as buttons. The buttons run the
// cleanup commands with a CleanupTarget, so the usual plan → confirm → archive contract applies.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CleanupAction, CleanupTarget } from '../../core/cleanup/types';
import type { Run } from '../../core/model';
import { CLEANUP_COMMANDS, OpenDatabaseRequest, RESETTABLE_PROFILES, ReportLocationRequest, RunDetailsRequest } from '../../shared/protocol';
import type { FromRunDetailsWebview, RunDetailsState, RunDetailsView, ToRunDetailsWebview } from '../../webview/shared/messages';
import { Disposable } from '../disposable';
import type { ServerConnection } from '../languageClient';
import { log } from '../log';
import type { DatabaseChanges } from './changes';
import { REVEAL_RUNS_COMMAND } from './chartsPanel';
import { applyOptions, panelHtml, panelOptions } from './html';

export const RUN_DETAILS_VIEW_TYPE = 'experimentHealth.runDetails';

export interface RunDetailsPanelHost {
  extensionUri: vscode.Uri;
  connection: ServerConnection;
  changes: DatabaseChanges;
  posted(data: RunDetailsView): void;
  rendered(state: RunDetailsState, info: { ms: number; sections: string[]; theme: string }): void;
  closed(panel: RunDetailsPanel): void;
}

/** The cleanups a run offers (the same rules as the tree's context menu). */
export function runActions(run: Run, profile: string | undefined): RunDetailsView['actions'] {
  const out: RunDetailsView['actions'] = [];
  if (run.state === 'incomplete') out.push({ action: 'delete-incomplete', label: 'Delete Incomplete Run…', title: 'Delete this run and every row that hangs off it (archived first; undoable)' });
  if (run.state === 'stale') {
    out.push({ action: 'mark-stale', label: 'Mark Stale Run as Ended…', title: 'Mark this run incomplete/failed so it stops claiming to run' });
    if (RESETTABLE_PROFILES.includes(profile ?? '')) out.push({ action: 'reset-stale', label: 'Reset to Pending…', title: 'Reset this run to pending and delete its partial children, so the runner picks it up again' });
  }
  out.push({ action: 'delete-runs', label: 'Delete Run…', title: 'Delete this run and every row that hangs off it (archived first; undoable)' });
  return out;
}

export class RunDetailsPanel extends Disposable {
  private data?: RunDetailsView;
  private ready = false;
  private pendingError?: string;
  private loading?: Promise<void>;

  static create(host: RunDetailsPanelHost, state: RunDetailsState): RunDetailsPanel {
    const panel = vscode.window.createWebviewPanel(RUN_DETAILS_VIEW_TYPE, 'Run Details', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      panelOptions(host.extensionUri));
    return new RunDetailsPanel(host, panel, state);
  }

  constructor(private readonly host: RunDetailsPanelHost, readonly panel: vscode.WebviewPanel, readonly state: RunDetailsState) {
    super();
    applyOptions(panel, host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'experiment-health.svg');
    this.register(panel.onDidDispose(() => { this.host.closed(this); this.dispose(); }));
    this.register(panel.webview.onDidReceiveMessage((m: FromRunDetailsWebview) => void this.onMessage(m)));
    this.register(host.changes.watch());
    this.register(host.changes.onChanged((paths) => {
      if (paths.some((p) => path.resolve(p) === path.resolve(state.path))) void this.refresh('database changed');
    }));
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, { title: 'Run Details', script: 'runDetails', styles: ['panels', 'runDetails'], state });
    void this.refresh('opened');
  }

  matches(p: string, runId: string): boolean { return path.resolve(p) === path.resolve(this.state.path) && runId === this.state.runId; }

  private post(m: ToRunDetailsWebview): void { void this.panel.webview.postMessage(m); }

  refresh(reason: string): Promise<void> {
    this.loading ??= this.load(reason).finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private async load(reason: string): Promise<void> {
    const { path: p, runId } = this.state;
    try {
      let details = await this.host.connection.request(RunDetailsRequest, { path: p, runId });
      if (!details) {
        const summary = await this.host.connection.request(OpenDatabaseRequest, { path: p });
        if (summary.status === 'ok') details = await this.host.connection.request(RunDetailsRequest, { path: p, runId });
        else { this.fail(summary.message ?? `${path.basename(p)} cannot be read (${summary.status}).`); return; }
      }
      if (!details) { this.fail(`Run ${runId} is no longer in ${path.basename(p)}: it was deleted or the database was replaced.`); return; }
      const data: RunDetailsView = { ...details, path: p, actions: runActions(details.run, details.profile) };
      this.data = data;
      this.panel.title = `Run ${details.shortId}`;
      log.info(`run details ${path.basename(p)} ${details.shortId} (${reason}): ${details.run.state}`);
      this.host.posted(data);
      if (this.ready) this.post({ type: 'data', data, state: this.state });
    } catch (e) {
      this.fail(`The run's details could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private fail(message: string): void {
    log.warn(`run details ${this.state.path} ${this.state.runId}: ${message}`);
    this.data = undefined;
    if (this.ready) this.post({ type: 'error', message, state: this.state });
    else this.pendingError = message;
  }

  private target(): CleanupTarget {
    const t: CleanupTarget = { path: this.state.path, runIds: [this.state.runId] };
    if (this.data) t.experimentId = this.data.run.experimentId;
    return t;
  }

  private async onMessage(m: FromRunDetailsWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.data) this.post({ type: 'data', data: this.data, state: this.state });
        else if (this.pendingError) this.post({ type: 'error', message: this.pendingError, state: this.state });
        return;
      case 'rendered':
        this.host.rendered(this.state, { ms: m.ms, sections: m.sections, theme: m.theme });
        return;
      case 'action': {
        const allowed = this.data?.actions.some((a) => a.action === m.action);
        if (!allowed) return;
        await vscode.commands.executeCommand(CLEANUP_COMMANDS[m.action as CleanupAction], this.target());
        await this.refresh('after cleanup');
        return;
      }
      case 'command': return this.command(m.command);
    }
  }

  private async command(c: 'reveal' | 'charts' | 'report' | 'copyId' | 'refresh'): Promise<void> {
    const d = this.data;
    switch (c) {
      case 'refresh': return this.refresh('refresh asked');
      case 'copyId':
        await vscode.env.clipboard.writeText(this.state.runId);
        vscode.window.setStatusBarMessage(`Copied run id ${this.state.runId}`, 3000);
        return;
      case 'charts':
        if (d) await vscode.commands.executeCommand('experimentHealth.showCharts', { path: this.state.path, experimentId: d.run.experimentId });
        return;
      case 'reveal': {
        if (!d) return;
        if ((await vscode.commands.getCommands(true)).includes(REVEAL_RUNS_COMMAND)) {
          await vscode.commands.executeCommand(REVEAL_RUNS_COMMAND, { path: this.state.path, experimentId: d.run.experimentId, runIds: [this.state.runId] });
        } else {
          log.warn(`run details: ${REVEAL_RUNS_COMMAND} is not available; cannot select the run in the explorer`);
          await vscode.commands.executeCommand('experimentHealth.runs.focus');
        }
        return;
      }
      case 'report': {
        const loc = await this.host.connection.request(ReportLocationRequest, { path: this.state.path, experimentId: d?.run.experimentId, runId: this.state.runId });
        if (!loc) return;
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(loc.uri));
        const pos = new vscode.Position(Math.min(loc.line, Math.max(0, doc.lineCount - 1)), 0);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true, viewColumn: vscode.ViewColumn.Beside });
        return;
      }
    }
  }

  reveal(): void { this.panel.reveal(); }
}
