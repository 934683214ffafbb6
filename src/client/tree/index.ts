import type * as vscode from 'vscode';
import type { ServerConnection } from '../languageClient';

/** Registers the run explorer (placeholder until the tree lands). */
export function registerExplorer(_context: vscode.ExtensionContext, _connection: ServerConnection): vscode.Disposable {
  return { dispose: () => undefined };
}
