// Tells open panels when their database changed. vscode-languageclient keeps ONE handler per
// notification method, and the tree, report and status bar already use DatabasesChangedNotification:
// registering another handler here would silently take it from them. So: use the connection's
// shared event when it offers one (`onDatabasesChanged`), else poll the (in-memory, cheap)
// database summaries while a panel is open and compare their evaluation times.
import * as vscode from 'vscode';
import { DatabasesRequest } from '../../shared/protocol';
import type { ServerConnection } from '../languageClient';
import { log } from '../log';

const POLL_MS = 2000;

export class DatabaseChanges implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string[]>();
  readonly onChanged = this.emitter.event;
  private readonly shared?: vscode.Disposable;
  private timer?: NodeJS.Timeout;
  private readonly seen = new Map<string, string>();
  private watched = 0;

  constructor(private readonly connection: ServerConnection) {
    const event = (connection as unknown as { onDatabasesChanged?: vscode.Event<{ paths: string[] }> }).onDatabasesChanged;
    if (typeof event === 'function') this.shared = event((e) => this.emitter.fire(e.paths));
    else log.info('panels: no shared onDatabasesChanged event on the connection; following database changes by polling summaries');
  }

  /** Call while a panel is open; dispose the result when it closes. */
  watch(): vscode.Disposable {
    this.watched++;
    if (!this.shared && !this.timer) this.timer = setInterval(() => void this.poll(), POLL_MS);
    return { dispose: () => { if (--this.watched === 0 && this.timer) { clearInterval(this.timer); this.timer = undefined; } } };
  }

  private async poll(): Promise<void> {
    try {
      const dbs = await this.connection.request(DatabasesRequest);
      const changed: string[] = [];
      for (const d of dbs) {
        const stamp = `${d.status}|${d.evaluatedAt ?? ''}`;
        if (this.seen.has(d.path) && this.seen.get(d.path) !== stamp) changed.push(d.path);
        this.seen.set(d.path, stamp);
      }
      if (changed.length) this.emitter.fire(changed);
    } catch { /* the server is restarting: try again next tick */ }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.shared?.dispose();
    this.emitter.dispose();
  }
}
