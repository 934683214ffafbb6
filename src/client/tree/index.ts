// The run explorer: database → experiment → runs (see nodes/), fed by the language server.
import * as vscode from 'vscode';
import { ReportLocationRequest } from '../../shared/protocol';
import { registerRefresh, registerViewCommands } from '../commands/view';
import type { ServerConnection } from '../languageClient';
import { vscodeUi } from '../ui';
import { Explorer, type SnapshotOptions } from './provider';
import { databaseId, experimentId as experimentNodeId, runId as runNodeId } from './ids';
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
      reportLocation: (p) => connection.request(ReportLocationRequest, p) }),
    registerRefresh(explorer),
    // From the charts: show the runs behind a bar. Tree views cannot multi-select from the API,
    // so the experiment is expanded and the first of those runs revealed and selected.
    vscode.commands.registerCommand('experimentHealth.revealRuns', async (arg?: { path: string; experimentId: string; runIds: string[] }) => {
      if (!arg?.path || arg.experimentId === undefined) return 0;
      const experiment = await explorer.model.find(experimentNodeId(arg.path, arg.experimentId))
        ?? await explorer.model.find(databaseId(arg.path));
      if (experiment) await explorer.view.reveal(experiment, { expand: true, select: !arg.runIds?.length, focus: true });
      for (const id of arg.runIds ?? []) {
        const run = await explorer.model.find(runNodeId(experimentNodeId(arg.path, arg.experimentId), id));
        if (run) { await explorer.view.reveal(run, { select: true, focus: true }); return arg.runIds.length; }
      }
      return 0;
    }),
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
