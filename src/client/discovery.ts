import * as path from 'node:path';
import * as vscode from 'vscode';
import { CloseDatabaseRequest, OpenDatabaseRequest, WorkspaceDatabasesRequest, type DatabaseSummary } from '../shared/protocol';
import { Disposable } from './disposable';
import type { ServerConnection } from './languageClient';
import { log, timed } from './log';

const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.experiment-health/**}';

/**
 * Finds the databases the `experimentHealth.databases` setting names (globs per workspace folder,
 * or absolute paths) and hands the list to the server, which opens and watches them. Re-runs
 * when files appear or disappear and when the setting changes.
 */
class Discovery extends Disposable {
  private pending?: NodeJS.Timeout;
  /** File watchers can miss events (busy machines, network file systems): look again now and then. */
  private static readonly REDISCOVER_MS = 60_000;

  constructor(private readonly connection: ServerConnection) {
    super();
    const watcher = this.register(vscode.workspace.createFileSystemWatcher('**/*.{sqlite,sqlite3,db,duckdb}', false, true, false));
    this.register(watcher.onDidCreate(() => this.schedule()));
    this.register(watcher.onDidDelete(() => this.schedule()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('experimentHealth.databases')) this.schedule(); }));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()));
    const timer = setInterval(() => this.schedule(), Discovery.REDISCOVER_MS);
    this.register({ dispose: () => clearInterval(timer) });
    this.register(vscode.commands.registerCommand('experimentHealth.openDatabase', (uri?: vscode.Uri) => this.openDatabase(uri)));
    this.register(vscode.commands.registerCommand('experimentHealth.closeDatabase', (item?: { path?: string } | string) => this.closeDatabase(item)));
    // Refresh = look for databases again, re-read them, and rebuild the explorer's cache.
    this.register(vscode.commands.registerCommand('experimentHealth.refresh', async () => {
      await this.discover();
      await vscode.commands.executeCommand('experimentHealth.explorer.reload').then(undefined, () => undefined);
    }));
  }

  schedule(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.discover(), 300);
  }

  async discover(): Promise<DatabaseSummary[]> {
    const paths = new Set<string>();
    const named = new Set<string>(); // patterns without wildcards name one file each
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const patterns = vscode.workspace.getConfiguration('experimentHealth', folder.uri).get<string[]>('databases') ?? [];
      for (const pattern of patterns) {
        const one = !/[*?[\]{}]/.test(pattern);
        if (path.isAbsolute(pattern)) { paths.add(pattern); if (one) named.add(pattern); continue; }
        const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, pattern), EXCLUDE, 10_000);
        for (const uri of found) if (uri.scheme === 'file') { paths.add(uri.fsPath); if (one) named.add(uri.fsPath); }
      }
    }
    // Nothing to read: the server is not started for an empty answer.
    if (!paths.size && !this.connection.started) { log.info('discovered no database; the language server is not started'); return []; }
    return timed(`discovered ${paths.size} database(s)`, () =>
      this.connection.request(WorkspaceDatabasesRequest, { paths: [...paths], named: [...named] }));
  }

  private async openDatabase(uri?: vscode.Uri): Promise<DatabaseSummary | undefined> {
    const target = uri ?? (await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Open Database',
      filters: { 'Experiment databases': ['sqlite', 'sqlite3', 'db', 'duckdb'], 'All files': ['*'] },
    }))?.[0];
    if (!target) return undefined;
    const summary = await this.connection.request(OpenDatabaseRequest, { path: target.fsPath });
    log.info(`opened ${target.fsPath}: ${summary.status}${summary.message ? ` — ${summary.message}` : ''}`);
    await vscode.commands.executeCommand('experimentHealth.runs.focus');
    return summary;
  }

  private async closeDatabase(item?: { path?: string } | string): Promise<void> {
    // From the palette: ask which one.
    const p = typeof item === 'string' ? item : item?.path
      ?? (await vscode.commands.executeCommand<DatabaseSummary[] | undefined>('experimentHealth.pickDatabase', 'Choose a database to close'))?.[0]?.path;
    if (!p) return;
    await this.connection.request(CloseDatabaseRequest, { path: p });
  }
}

export function registerDiscovery(_context: vscode.ExtensionContext, connection: ServerConnection): vscode.Disposable {
  const discovery = new Discovery(connection);
  void discovery.discover().catch((e) => log.error(`discovery failed: ${e instanceof Error ? e.message : String(e)}`));
  return discovery;
}
