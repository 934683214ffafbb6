import * as vscode from 'vscode';
import { registerCleanup } from './client/cleanup/commands';
import { registerDiscovery } from './client/discovery';
import { ServerConnection } from './client/languageClient';
import { log } from './client/log';
import { registerPanels } from './client/panels';
import { registerReports } from './client/report';
import { registerStatusBar } from './client/statusBar';
import { registerExplorer } from './client/tree';
import { ServerInfoRequest } from './shared/protocol';

let connection: ServerConnection | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log.info(`activating Experiment Health ${context.extension.packageJSON.version} in ${vscode.env.appName} ${vscode.version}`);
  context.subscriptions.push(log, vscode.commands.registerCommand('experimentHealth.showLog', () => log.show()));

  // The server starts at the first request: when discovery finds a database, or a command needs it.
  connection = new ServerConnection(context);
  context.subscriptions.push(connection);

  context.subscriptions.push(
    registerReports(context, connection),
    registerExplorer(context, connection),
    registerStatusBar(context, connection),
    registerCleanup(context, connection),
    registerDiscovery(context, connection),
    registerPanels(context, connection),
    // Tests and "what is it using?": the server's version, pid and memory.
    vscode.commands.registerCommand('experimentHealth.test.serverInfo', () => connection?.request(ServerInfoRequest)),
  );
}

export async function deactivate(): Promise<void> {
  await connection?.stop();
  connection = undefined;
}
