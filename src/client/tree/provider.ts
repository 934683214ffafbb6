// The VS Code side of the explorer: turns node item specs into TreeItems, owns the TreeView, its
// badge ("N problems"), description (active filter) and the persisted view options.
import * as vscode from 'vscode';
import type { DatabaseSummary } from '../../shared/protocol';
import { Disposable } from '../disposable';
import { log } from '../log';
import { plural, problemCount, viewDescription } from './format';
import { ExplorerModel } from './model';
import { TreeNode, type ExplorerSource, type ItemSpec, type TreeContext } from './nodes/base';
import { ExperimentNode } from './nodes/experiment';
import { GroupNode } from './nodes/group';
import { MessageNode } from './nodes/misc';
import { RecentNode } from './nodes/recent';
import { DEFAULT_OPTIONS, OPTIONS_KEY, sanitizeOptions, sanitizePageSize, type ViewOptions } from './options';

export const VIEW_ID = 'experimentHealth.runs';
const FILTER_CONTEXT_KEY = 'experimentHealth.filterActive';
const SHOWING_DELETED_CONTEXT_KEY = 'experimentHealth.showingDeleted';

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

/** The item as VS Code shows it; the tooltip comes later (`tooltipOf`, on hover) unless asked for. */
export function toTreeItem(spec: ItemSpec, node: TreeNode, withTooltip = false): vscode.TreeItem {
  const item = new vscode.TreeItem(spec.label, COLLAPSIBLE[spec.collapsible]);
  item.id = spec.id;
  item.description = spec.description;
  item.contextValue = spec.contextValue;
  if (withTooltip) item.tooltip = tooltipOf(spec);
  if (spec.icon) item.iconPath = new vscode.ThemeIcon(spec.icon.id, spec.icon.color ? new vscode.ThemeColor(spec.icon.color) : undefined);
  if (spec.command) item.command = { command: spec.command.command, title: spec.command.title, arguments: spec.command.withNode ? [node] : [] };
  return item;
}

export function tooltipOf(spec: ItemSpec): vscode.MarkdownString | undefined {
  if (!spec.tooltip) return undefined;
  const md = new vscode.MarkdownString(spec.tooltip, true);
  md.supportHtml = false;
  return md;
}

export interface SnapshotItem {
  id: string; label: string; description?: string; contextValue?: string; icon?: string; color?: string;
  collapsible: 'none' | 'collapsed' | 'expanded'; tooltip?: string; children?: SnapshotItem[];
}
export interface SnapshotOptions {
  /** Ids or labels of nodes whose children to include; '*' for all (bounded by depth). */
  expand?: string[];
  depth?: number;
}
export interface Snapshot {
  databases: DatabaseSummary[]; options: ViewOptions; description?: string; badge?: { value: number; tooltip: string };
  items: SnapshotItem[]; timings: Record<string, number>;
}

export class Explorer extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  readonly model: ExplorerModel;
  readonly view: vscode.TreeView<TreeNode>;
  private readonly changed = this.register(new vscode.EventEmitter<TreeNode | TreeNode[] | undefined | void>());
  readonly onDidChangeTreeData = this.changed.event;
  private options: ViewOptions;
  private pageSize: number;
  /** First-load time of each expanded experiment or group (ms), newest last. */
  readonly timings = new Map<string, number>();

  constructor(private readonly context: vscode.ExtensionContext, source: ExplorerSource) {
    super();
    this.options = sanitizeOptions(context.workspaceState.get(OPTIONS_KEY, DEFAULT_OPTIONS));
    this.pageSize = this.readPageSize();
    const ctx: TreeContext = { source, options: () => this.options, pageSize: () => this.pageSize, now: () => Date.now() };
    this.model = new ExplorerModel(ctx, (nodes) => this.changed.fire(nodes));
    this.view = this.register(vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, canSelectMany: true, showCollapseAll: true }));
    this.model.onSummaries((s) => this.updateBadge(s));
    this.updateDescription();
    // Safety net, in case a change notification is missed: while a database is being read (or,
    // for the first two minutes, while none is known yet) re-read the list every 1.5 s when the
    // view is visible, and whenever it becomes visible.
    const started = Date.now();
    const timer = setInterval(() => {
      const settling = this.model.reading || (this.model.empty && Date.now() - started < 120_000);
      if (settling && this.view.visible) void this.model.pollSummaries();
    }, 1500);
    this.register({ dispose: () => clearInterval(timer) });
    this.register(this.view.onDidChangeVisibility((e) => { if (e.visible) void this.model.pollSummaries(); }));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('experimentHealth.pageSize')) this.pageSize = this.readPageSize();
    }));
  }

  private readPageSize(): number { return sanitizePageSize(vscode.workspace.getConfiguration('experimentHealth').get('pageSize')); }

  getTreeItem(node: TreeNode): vscode.TreeItem { return toTreeItem(node.item(), node); }

  // Tooltips on hover only: a page of 200 runs no longer ships 200 Markdown tables to the workbench.
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    item.tooltip ??= tooltipOf(node.item());
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined { return node.parent; }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const t0 = Date.now();
    const timed = node instanceof ExperimentNode || node instanceof GroupNode || node instanceof RecentNode;
    const first = timed && !(node instanceof ExperimentNode ? node.loaded : (node as GroupNode | RecentNode).pager.isLoaded);
    try {
      const children = node ? await node.children() : await this.model.roots();
      if (first) {
        const ms = Date.now() - t0;
        this.timings.set(node!.id, ms);
        log.info(`[explorer] first page of ${node!.item().label}: ${children.length} items in ${ms} ms`);
      }
      return children;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`[explorer] reading ${node ? node.item().label : 'the databases'} failed: ${msg}`);
      node?.reset();
      return [new MessageNode(node, node ? `Could not read the runs: ${msg}` : `Could not list the databases: ${msg}`,
        'Click to show the log. Refresh to try again.', 'error', { command: 'experimentHealth.showLog', title: 'Show Log' })];
    }
  }

  getOptions(): ViewOptions { return { ...this.options, states: [...this.options.states] }; }

  async setOptions(change: Partial<ViewOptions>): Promise<void> {
    this.options = sanitizeOptions({ ...this.options, ...change });
    await this.context.workspaceState.update(OPTIONS_KEY, this.options);
    this.updateDescription();
    this.model.optionsChanged();
  }

  private updateDescription(): void {
    this.view.description = viewDescription(this.options.states, this.options.showHidden);
    void vscode.commands.executeCommand('setContext', FILTER_CONTEXT_KEY, this.options.states.length > 0);
    void vscode.commands.executeCommand('setContext', SHOWING_DELETED_CONTEXT_KEY, this.options.showHidden);
  }

  private updateBadge(summaries: DatabaseSummary[]): void {
    const n = problemCount(summaries);
    this.view.badge = n > 0 ? { value: n, tooltip: plural(n, 'problem') } : undefined;
  }

  refresh(): Promise<void> { this.timings.clear(); return this.model.reload(); }

  /** The nodes a command acts on: the selection when the clicked node is part of it (multi-select), else the clicked node. */
  nodesFor(clicked: unknown, selected: unknown): TreeNode[] {
    const sel = Array.isArray(selected) ? selected.filter((n): n is TreeNode => n instanceof TreeNode) : [];
    if (clicked instanceof TreeNode) return sel.includes(clicked) ? sel : [clicked];
    if (sel.length) return sel;
    return [...this.view.selection];
  }

  async snapshot(opts: SnapshotOptions = {}): Promise<Snapshot> {
    const expand = new Set(opts.expand ?? []);
    const depth = opts.depth ?? 4;
    const render = async (nodes: TreeNode[], level: number): Promise<SnapshotItem[]> => {
      const out: SnapshotItem[] = [];
      for (const n of nodes) {
        const s = n.item();
        const item: SnapshotItem = { id: s.id, label: s.label, description: s.description, contextValue: s.contextValue, icon: s.icon?.id,
          color: s.icon?.color, collapsible: s.collapsible, tooltip: s.tooltip };
        if (s.collapsible !== 'none' && level < depth && (expand.has('*') || expand.has(s.id) || expand.has(s.label))) {
          item.children = await render(await this.getChildren(n), level + 1);
        }
        out.push(item);
      }
      return out;
    };
    const items = await render(await this.getChildren(), 0);
    return { databases: [...this.model.databases], options: this.getOptions(), description: this.view.description,
      badge: this.view.badge ? { value: this.view.badge.value, tooltip: this.view.badge.tooltip } : undefined,
      items, timings: Object.fromEntries(this.timings) };
  }

  override dispose(): void { this.model.dispose(); super.dispose(); }
}
