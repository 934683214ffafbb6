import * as vscode from 'vscode';
import { REPORT_SCHEME, ReportRequest, dbPathFromReportUri, reportUriFor } from '../shared/protocol';
import { Disposable } from './disposable';
import type { ServerConnection } from './languageClient';

/**
 * The health reports: read-only virtual documents whose text the server renders. They refresh
 * when the server reports a change, and opening a diagnostic in the Problems panel opens them.
 */
class ReportDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly connection: ServerConnection) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this));
    this.register(connection.onDatabasesChanged(({ paths }) => {
      for (const p of paths) this.changed.fire(vscode.Uri.parse(reportUriFor(p)));
    }));
    this.register(vscode.commands.registerCommand('experimentHealth.showReport', (arg?: { path?: string } | string | vscode.Uri) => this.show(arg)));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const path = dbPathFromReportUri(uri.toString(true)) ?? dbPathFromReportUri(uri.toString()) ?? uri.path.replace(/\.health$/, '');
    return (await this.connection.request(ReportRequest, { path })).text;
  }

  private async show(arg?: { path?: string } | string | vscode.Uri): Promise<void> {
    let path = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : arg?.path;
    if (!path) {
      const docs = await vscode.commands.executeCommand<{ path: string }[] | undefined>('experimentHealth.pickDatabase');
      path = docs?.[0]?.path;
    }
    if (!path) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(reportUriFor(path)));
    await vscode.window.showTextDocument(doc, { preview: false });
  }
}

export function registerReports(_context: vscode.ExtensionContext, connection: ServerConnection): vscode.Disposable {
  return new ReportDocuments(connection);
}
