// The explorer's node classes are plain TypeScript (no `vscode` import): each owns its item
// description (`item()`, turned into a vscode.TreeItem by ../provider.ts) and its children, which it
// caches and disposes (vscode-pull-request-github's TreeNode). Plain Node unit tests drive them with
// a fake server (test/unit/tree-nodes.test.ts).
import type { IdStyle } from '../../../core/ids';
import type { Experiment, Run } from '../../../core/model';
import type { DatabaseSummary, ExperimentsParams, GroupsParams, RunGroup, RunsPage, RunsParams } from '../../../shared/protocol';
import type { IconSpec } from '../format';
import type { ViewOptions } from '../options';

/** What the explorer asks the language server (no SQL in the extension host). */
export interface ExplorerSource {
  databases(): Promise<DatabaseSummary[]>;
  experiments(params: ExperimentsParams): Promise<Experiment[]>;
  runs(params: RunsParams): Promise<RunsPage>;
  groups(params: GroupsParams): Promise<RunGroup[]>;
}

export interface TreeContext {
  readonly source: ExplorerSource;
  options(): ViewOptions;
  pageSize(): number;
  now(): number;
}

/** The `showHidden` part of a request, from the view options (absent when off). */
export function hiddenParam(ctx: TreeContext): { showHidden?: true } { return ctx.options().showHidden ? { showHidden: true } : {}; }

export type Collapsible = 'none' | 'collapsed' | 'expanded';

/** Everything a vscode.TreeItem needs, as plain data. */
export interface ItemSpec {
  id: string;
  label: string;
  description?: string;
  /** Markdown (may use $(codicon) syntax). */
  tooltip?: string;
  icon?: IconSpec;
  contextValue: string;
  collapsible: Collapsible;
  /** Command run on click; the node itself is passed as its argument. */
  command?: { command: string; title: string; withNode?: boolean };
}

/**
 * What commands act on. Cleanup and details commands (registered elsewhere) receive the clicked
 * node and the selection; `target` is the stable, documented part of a node for them.
 */
export type NodeTarget =
  | { kind: 'database'; path: string; summary: DatabaseSummary }
  | { kind: 'experiment'; path: string; experimentId: string; experiment: Experiment; profile?: string; idStyle?: IdStyle }
  | { kind: 'run'; path: string; experimentId: string; runId: string; run: Run; shortId?: string; profile?: string; idStyle?: IdStyle };

export abstract class TreeNode {
  abstract readonly id: string;
  constructor(readonly parent: TreeNode | undefined) {}
  abstract item(): ItemSpec;
  /** Cached after the first call; `reset()` forgets them. */
  async children(): Promise<TreeNode[]> { return []; }
  /**
   * What cleanup, details and copy commands act on (a getter, so `{ ...node.target }` works). Only
   * databases, experiments and runs have one: a group or "recent runs" must never widen a cleanup.
   */
  get target(): NodeTarget | undefined { return undefined; }
  /** Forgets cached children (after a filter, grouping or sort change). */
  reset(): void { /* leaf */ }
  dispose(): void { this.reset(); }
}

export function disposeAll(nodes: Iterable<TreeNode>): void {
  for (const n of nodes) { try { n.dispose(); } catch { /* keep going */ } }
}

/** Shallow-equal by JSON: the data crossing LSP is plain. */
export function sameData(a: unknown, b: unknown): boolean { return JSON.stringify(a) === JSON.stringify(b); }
