import * as vscode from 'vscode';
import { ServerConnection } from './client/languageClient';
import { log } from './client/log';

let connection: ServerConnection | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log.info(`activating Experiment Health ${context.extension.packageJSON.version} in ${vscode.env.appName} ${vscode.version}`);
  context.subscriptions.push(log, vscode.commands.registerCommand('experimentHealth.showLog', () => log.show()));

  connection = new ServerConnection(context);
  context.subscriptions.push(connection);
  await connection.start();
}

export async function deactivate(): Promise<void> {
  await connection?.stop();
  connection = undefined;
}
