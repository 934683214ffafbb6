// Command handlers of the run explorer: filter, group, sort, refresh, load more, copy id, reveal
// in report, create mapping, open mapping guide. (Cleanups, open/close database, report, run
// details and charts are registered elsewhere.) UI goes through the `Ui` facade.
import * as path from 'path';
import * as vscode from 'vscode';
import { shownId } from '../../core/ids';
import { RUN_STATES, type RunState } from '../../core/model';
import type { DatabaseSummary, ReportLocation, ReportLocationParams, RunSort } from '../../shared/protocol';
import { log } from '../log';
import { formatCount, WORST_FIRST } from '../tree/format';
import { addProfile, mappingSkeleton, profileLine } from '../tree/mapping';
import { TreeNode } from '../tree/nodes/base';
import { GROUP_LABELS, isRunStateList, SORT_LABELS, type GroupBy } from '../tree/options';
import type { Explorer } from '../tree/provider';
import type { Ui } from '../ui';

export const MAPPING_FILE = '.vscode/experiment-health.json';
/** Re-reads the whole tree. `experimentHealth.refresh` runs it too (see registerRefresh). */
export const RELOAD_COMMAND = 'experimentHealth.explorer.reload';

/**
 * `experimentHealth.refresh` (the view's Refresh button). Discovery (src/client/discovery.ts) also
 * registers that id to re-scan the workspace; registering it twice would throw and break activation.
 * So: after activation's synchronous registrations, take the id only if nobody else did. Whoever
 * owns it should also run RELOAD_COMMAND (see the explorer's report to the lead).
 */
export function registerRefresh(explorer: Explorer): vscode.Disposable {
  let registered: vscode.Disposable | undefined;
  let disposed = false;
  void Promise.resolve().then(() => vscode.commands.getCommands(true)).then((all) => {
    if (disposed || all.includes('experimentHealth.refresh')) return;
    registered = vscode.commands.registerCommand('experimentHealth.refresh', () => explorer.refresh());
  });
  return { dispose: () => { disposed = true; registered?.dispose(); } };
}

export interface ViewCommandDeps {
  explorer: Explorer;
  ui: Ui;
  extensionUri: vscode.Uri;
  reportLocation(params: ReportLocationParams): Promise<ReportLocation | null>;
}

export function registerViewCommands(deps: ViewCommandDeps): vscode.Disposable[] {
  const { explorer, ui } = deps;
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try { return await fn(...args); } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`${id} failed: ${msg}`);
      void ui.error(`${id.replace('experimentHealth.', '')}: ${msg}`, 'Show Log').then((a) => { if (a) log.show(); });
      return undefined;
    }
  });

  return [
    reg(RELOAD_COMMAND, () => explorer.refresh()),
    reg('experimentHealth.filterByState', (arg) => filterByState(deps, arg)),
    reg('experimentHealth.clearFilter', () => explorer.setOptions({ states: [] })),
    reg('experimentHealth.showDeleted', () => explorer.setOptions({ showHidden: true })),
    reg('experimentHealth.hideDeleted', () => explorer.setOptions({ showHidden: false })),
    reg('experimentHealth.groupBy', (arg) => groupBy(deps, arg)),
    reg('experimentHealth.sortBy', (arg) => sortBy(deps, arg)),
    reg('experimentHealth.loadMore', async (arg) => {
      const node = typeof arg === 'string' ? await explorer.model.find(arg) : arg instanceof TreeNode ? arg : explorer.view.selection[0];
      if (node) await explorer.model.loadMore(node);
    }),
    reg('experimentHealth.copyId', (clicked, selected) => copyId(deps, explorer.nodesFor(clicked, selected))),
    reg('experimentHealth.revealInReport', (clicked) => revealInReport(deps, clicked)),
    reg('experimentHealth.createMapping', (clicked) => createMapping(deps, clicked)),
    reg('experimentHealth.openMappingGuide', () => vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(deps.extensionUri, 'media', 'mappings.md'))),
  ];
}

/** Filter by state: a multi-select quick pick with counts; or programmatic with a state list. */
export async function filterByState({ explorer, ui }: ViewCommandDeps, arg?: unknown): Promise<RunState[] | undefined> {
  if (isRunStateList(arg)) { await explorer.setOptions({ states: arg }); return arg; }
  const counts = explorer.model.stateCounts();
  const current = explorer.getOptions().states;
  const states = [...WORST_FIRST].filter((s) => RUN_STATES.includes(s));
  const picked = await ui.pickMany(states.map((s) => ({
    label: s, description: `${formatCount(counts[s] ?? 0)} ${counts[s] === 1 ? 'run' : 'runs'}`, value: s, picked: current.includes(s),
  })), { title: 'Show Runs in These States', placeHolder: 'Pick states (none: show all runs)' });
  if (picked === undefined) return undefined;
  await explorer.setOptions({ states: picked });
  return picked;
}

export async function groupBy({ explorer, ui }: ViewCommandDeps, arg?: unknown): Promise<GroupBy | undefined> {
  const all = Object.keys(GROUP_LABELS) as GroupBy[];
  const current = explorer.getOptions().groupBy;
  const choice = all.find((g) => g === arg) ?? await ui.pickOne(all.map((g) => ({
    label: GROUP_LABELS[g], description: g === current ? 'current' : g === 'config' ? 'e.g. network, model, scenario' : undefined, value: g,
  })), { title: 'Group Runs By' });
  if (choice) await explorer.setOptions({ groupBy: choice });
  return choice;
}

export async function sortBy({ explorer, ui }: ViewCommandDeps, arg?: unknown): Promise<RunSort | undefined> {
  const all = Object.keys(SORT_LABELS) as RunSort[];
  const current = explorer.getOptions().sortBy;
  const choice = all.find((s) => s === arg) ?? await ui.pickOne(all.map((s) => ({
    label: SORT_LABELS[s], description: s === current ? 'current' : undefined, value: s,
  })), { title: 'Sort Runs By' });
  if (choice) await explorer.setOptions({ sortBy: choice });
  return choice;
}

/** Copies the ids of the selected runs and experiments as their system prints them (what its own tools accept). */
export async function copyId({ ui }: ViewCommandDeps, nodes: TreeNode[]): Promise<string | undefined> {
  const ids = nodes.map((n) => n.target).flatMap((t) => (t?.kind === 'run' ? [shownId(t.runId, t.idStyle)] : t?.kind === 'experiment' ? [shownId(t.experimentId, t.idStyle)] : []));
  if (!ids.length) return undefined;
  const text = ids.join('\n');
  await ui.copy(text);
  ui.status(ids.length === 1 ? `Copied ${ids[0]}` : `Copied ${ids.length} ids`);
  return text;
}

export async function revealInReport(deps: ViewCommandDeps, clicked: unknown): Promise<void> {
  const node = clicked instanceof TreeNode ? clicked : deps.explorer.view.selection[0];
  const t = node?.target;
  if (!t || (t.kind !== 'run' && t.kind !== 'experiment' && t.kind !== 'database')) return;
  const loc = await deps.reportLocation({ path: t.path, experimentId: t.kind === 'database' ? undefined : t.experimentId, runId: t.kind === 'run' ? t.runId : undefined });
  if (!loc) { void deps.ui.info('This item has no line in the health report (the report lists runs with problems and every experiment).'); return; }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(loc.uri));
  const pos = new vscode.Position(Math.min(loc.line, Math.max(0, doc.lineCount - 1)), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
}

/** The database a Create Mapping… acts on: the clicked one, else the one (or one picked) of unknown schema. */
async function mappingTarget({ explorer, ui }: ViewCommandDeps, clicked: unknown): Promise<DatabaseSummary | undefined | null> {
  const t = clicked instanceof TreeNode ? clicked.target : undefined;
  if (t?.kind === 'database') return t.summary;
  const candidates = explorer.model.databases.filter((s) => s.status === 'unknown-schema' || (s.status === 'not-experiment-db' && !s.unreadable));
  if (candidates.length === 0) return undefined; // a blank template
  if (candidates.length === 1) return candidates[0];
  const pick = await ui.pickOne(candidates.map((s) => ({ label: path.basename(s.path), description: vscode.workspace.asRelativePath(s.path), value: s })),
    { title: 'Create a Mapping for Which Database?' });
  return pick ?? null;
}

export async function createMapping(deps: ViewCommandDeps, clicked: unknown): Promise<vscode.Uri | undefined> {
  const summary = await mappingTarget(deps, clicked);
  if (summary === null) return undefined;
  const profile = mappingSkeleton(summary?.path ?? 'my-database.sqlite', summary?.tables ?? []);
  const folder = (summary && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(summary.path))) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: addProfile(undefined, profile).ok ? JSON.stringify({ profiles: [profile] }, null, 2) : '' });
    await vscode.window.showTextDocument(doc);
    void deps.ui.info(`Open a folder and save this as ${MAPPING_FILE} to use it.`);
    return undefined;
  }
  const uri = vscode.Uri.joinPath(folder.uri, MAPPING_FILE);
  let existing: string | undefined;
  try { existing = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)); } catch { existing = undefined; }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) existing = open.getText();
  const merged = addProfile(existing, profile);
  if (!merged.ok) {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    await deps.ui.copy(JSON.stringify(profile, null, 2));
    void deps.ui.warn(`${MAPPING_FILE} was left as it is: ${merged.error}. The new profile is on the clipboard.`);
    return uri;
  }
  // Nothing is written until the user saves: a new file is an untitled document at its path.
  const doc = await vscode.workspace.openTextDocument(merged.created ? uri.with({ scheme: 'untitled' }) : uri);
  const editor = await vscode.window.showTextDocument(doc);
  if (merged.created) {
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), merged.text));
    log.info(`[explorer] drafted ${uri.fsPath} with profile ${merged.name}${summary ? ` for ${summary.path}` : ''} (unsaved)`);
  } else {
    // appended as an edit of the open document: nothing is written until the user saves (and Undo works)
    const all = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
    await editor.edit((b) => b.replace(all, merged.text));
    log.info(`[explorer] added profile ${merged.name} to ${uri.fsPath} (unsaved)`);
  }
  const line = profileLine(editor.document.getText(), merged.name);
  const pos = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.AtTop);
  void deps.ui.info(merged.created
    ? `Drafted ${MAPPING_FILE} with a guessed profile "${merged.name}": check each column, then save it to use it.`
    : `Added profile "${merged.name}" to ${MAPPING_FILE}: check it, then save.`, 'Open Mapping Guide')
    .then((a) => { if (a) void vscode.commands.executeCommand('experimentHealth.openMappingGuide'); });
  return uri;
}
