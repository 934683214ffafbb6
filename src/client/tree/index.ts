// The run explorer: database → experiment → runs (see nodes/), fed by the language server.
import * as vscode from 'vscode';
import { ReportLocationRequest } from '../../shared/protocol';
import { registerRefresh, registerViewCommands } from '../commands/view';
import type { ServerConnection } from '../languageClient';
import { vscodeUi } from '../ui';
import { Explorer, type SnapshotOptions } from './provider';
import { onDatabasesChanged, serverSource } from './source';

export type { NodeTarget } from './nodes/base';
export { TreeNode } from './nodes/base';

/** Test-only command (not contributed in package.json): the rendered tree, for extension-host tests. */
export const TREE_SNAPSHOT_COMMAND = 'experimentHealth.test.treeSnapshot';
/** Test-only: reveals (and expands) a node by id, resolving with the ms its children took. */
export const TREE_REVEAL_COMMAND = 'experimentHealth.test.treeReveal';

/** Registers the run explorer. */
export function registerExplorer(context: vscode.ExtensionContext, connection: ServerConnection): vscode.Disposable {
  const explorer = new Explorer(context, serverSource(connection));
  const disposables: vscode.Disposable[] = [
    explorer,
    onDatabasesChanged(connection, (paths) => { void explorer.model.databasesChanged(paths); }),
    ...registerViewCommands({ explorer, ui: vscodeUi, extensionUri: context.extensionUri,
      reportLocation: (p) => connection.client.sendRequest(ReportLocationRequest, p) }),
    registerRefresh(explorer),
    vscode.commands.registerCommand(TREE_SNAPSHOT_COMMAND, (opts?: SnapshotOptions) => explorer.snapshot(opts)),
    vscode.commands.registerCommand(TREE_REVEAL_COMMAND, async (id: string) => {
      const node = await explorer.model.find(id);
      if (!node) return undefined;
      const t0 = Date.now();
      await explorer.view.reveal(node, { expand: true, select: true, focus: false });
      await explorer.getChildren(node);
      return { ms: Date.now() - t0, firstPageMs: explorer.timings.get(id) };
    }),
  ];
  return vscode.Disposable.from(...disposables);
}
