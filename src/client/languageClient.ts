import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type RequestType, type RequestType0, type ServerOptions } from 'vscode-languageclient/node';
import { DatabasesChangedNotification, REPORT_LANGUAGE, REPORT_SCHEME, ServerInfoRequest } from '../shared/protocol';
import { engineEnv, LEAN_HEAP_FLAGS } from '../core/engine/launch';
import { Disposable } from './disposable';
import { log } from './log';

/**
 * Starts the language server (all SQL runs there, never in the extension host) at the first
 * request, restarts it when it crashes — saying so once — and shows its state in a language-status
 * item. A window whose workspace holds no database never starts it (~40 MB saved).
 */
export class ServerConnection extends Disposable {
  readonly client: LanguageClient;
  private readonly status: vscode.LanguageStatusItem;
  private readonly databasesChanged = this.register(new vscode.EventEmitter<{ paths: string[] }>());
  /**
   * The server's "databases changed" notification, for every listener: the client keeps one
   * handler per notification (a second onNotification replaces the first), so it is registered
   * once, here, and fanned out.
   */
  readonly onDatabasesChanged = this.databasesChanged.event;
  private crashNotified = false;

  constructor(context: vscode.ExtensionContext) {
    super();
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      // Heap flags that keep the server's RSS near what it holds, not what it churned; io_uring
      // for the reads that overlap a cold scan's disk waits (engineEnv).
      run: { module, transport: TransportKind.ipc, options: { execArgv: [...LEAN_HEAP_FLAGS], env: engineEnv() } },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: [...LEAN_HEAP_FLAGS, '--nolazy', '--inspect=6011'], env: engineEnv() } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: REPORT_SCHEME, language: REPORT_LANGUAGE }],
      outputChannel: log,
      traceOutputChannel: log,
      synchronize: { configurationSection: 'experimentHealth' },
      initializationOptions: { storagePath: context.globalStorageUri.fsPath },
      errorHandler: {
        error: () => ({ action: 1 /* Continue */ }),
        closed: () => {
          if (!this.crashNotified) {
            this.crashNotified = true;
            void vscode.window.showErrorMessage('The Experiment Health server stopped unexpectedly and was restarted.', 'Show Log')
              .then((choice) => { if (choice) log.show(); });
          }
          log.error('language server closed; restarting');
          return { action: 2 /* Restart */ };
        },
      },
    };
    this.client = new LanguageClient('experimentHealth', 'Experiment Health', serverOptions, clientOptions);

    this.status = this.register(vscode.languages.createLanguageStatusItem('experimentHealth.server', { language: REPORT_LANGUAGE }));
    this.status.name = 'Experiment Health';
    this.status.command = { command: 'experimentHealth.showLog', title: 'Show Log' };
    this.setStatus('not started (no database read yet)', vscode.LanguageStatusSeverity.Information, false);
    this.register(this.client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.setStatus('server running', vscode.LanguageStatusSeverity.Information, false);
      else if (e.newState === State.Starting) this.setStatus('starting', vscode.LanguageStatusSeverity.Information, true);
      else this.setStatus('server stopped', vscode.LanguageStatusSeverity.Error, false);
    }));
  }

  /** Whether the server was asked for yet: a window without experiment databases never starts it. */
  get started(): boolean { return this.starting !== undefined; }
  private starting?: Promise<void>;

  /** Starts the server once, at the first request (or now, when called). */
  start(): Promise<void> {
    return this.starting ??= (async () => {
      const t0 = Date.now();
      await this.client.start();
      this.register(this.client.onNotification(DatabasesChangedNotification, (e) => this.databasesChanged.fire(e)));
      const info = await this.client.sendRequest(ServerInfoRequest);
      log.info(`language server ${info.version} running (pid ${info.pid}, node ${info.node}) after ${Date.now() - t0} ms`);
    })();
  }

  /** A request to the server, starting it first if need be. */
  async request<R>(type: RequestType0<R, void>): Promise<R>;
  async request<P, R>(type: RequestType<P, R, void>, params: P, token?: vscode.CancellationToken): Promise<R>;
  async request(type: RequestType0<unknown, void> | RequestType<unknown, unknown, void>, ...rest: unknown[]): Promise<unknown> {
    await this.start();
    return (this.client.sendRequest as (t: unknown, ...r: unknown[]) => Promise<unknown>).call(this.client, type, ...rest);
  }

  private setStatus(text: string, severity: vscode.LanguageStatusSeverity, busy: boolean): void {
    this.status.text = text;
    this.status.severity = severity;
    this.status.busy = busy;
  }

  override dispose(): void {
    super.dispose();
  }

  stop(): Promise<void> {
    return this.client.state === State.Running ? this.client.stop() : Promise.resolve();
  }
}
