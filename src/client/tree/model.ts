// The explorer's model (plain TypeScript, no `vscode`): which roots are shown, and what to
// re-render when the server reports that databases changed. It fires the nodes whose item
// changed (fine-grained) or `undefined` for the whole tree when the roots themselves changed.
import type { RunState } from '../../core/model';
import type { DatabaseSummary } from '../../shared/protocol';
import { filterDescription, matchingCount, sumCounts } from './format';
import { disposeAll, TreeNode, type TreeContext } from './nodes/base';
import { DatabaseNode } from './nodes/database';
import { MessageNode, OtherDatabasesNode } from './nodes/misc';
import type { RunPager } from './nodes/run';
import { LoadMoreNode } from './nodes/run';
import { ExperimentNode } from './nodes/experiment';
import { GroupNode } from './nodes/group';
import { RecentNode } from './nodes/recent';

export type Fire = (nodes: TreeNode[] | undefined) => void;

export class ExplorerModel {
  private summaries: DatabaseSummary[] | undefined;
  private readonly dbs = new Map<string, DatabaseNode>();
  private other: OtherDatabasesNode | undefined;
  private loading: Promise<void> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private pendingPaths = new Set<string>();
  private summaryListeners: ((s: DatabaseSummary[]) => void)[] = [];

  constructor(private readonly ctx: TreeContext, private readonly fire: Fire) {}

  /** Called with the summaries whenever they are (re-)read: badge, description. */
  onSummaries(listener: (s: DatabaseSummary[]) => void): void { this.summaryListeners.push(listener); }

  get databases(): readonly DatabaseSummary[] { return this.summaries ?? []; }

  /** Run counts per state over every readable database (for the filter quick pick). */
  stateCounts(): Partial<Record<RunState, number>> {
    return sumCounts(this.databases.filter((s) => s.status === 'ok').map((s) => s.runCounts ?? {}));
  }

  private async ensureSummaries(): Promise<void> {
    if (this.summaries) return;
    this.loading ??= this.readSummaries().then(() => undefined).finally(() => { this.loading = undefined; });
    await this.loading;
  }

  private async readSummaries(): Promise<boolean> {
    const list = await this.ctx.source.databases();
    const sorted = [...list].sort((a, b) => a.path.localeCompare(b.path));
    let structural = !this.summaries;
    this.summaries = sorted;
    const experimentDbs = sorted.filter((s) => s.status !== 'not-experiment-db');
    const hide = experimentDbs.length === 1 && experimentDbs[0].status === 'ok';
    const seen = new Set<string>();
    for (const s of experimentDbs) {
      seen.add(s.path);
      const node = this.dbs.get(s.path);
      if (!node || node.hidden !== hide || node.readable !== (s.status === 'ok')) {
        node?.dispose();
        this.dbs.set(s.path, new DatabaseNode(s, this.ctx, hide));
        structural = true;
      } else if (node.update(s)) {
        this.changedSummaries.add(node);
      }
    }
    for (const [p, n] of this.dbs) if (!seen.has(p)) { n.dispose(); this.dbs.delete(p); structural = true; }
    const others = sorted.filter((s) => s.status === 'not-experiment-db');
    if (!others.length) { if (this.other) structural = true; this.other = undefined; }
    else if (!this.other) { this.other = new OtherDatabasesNode(others); structural = true; }
    else { this.other.summaries = others; this.changedSummaries.add(this.other); }
    for (const l of this.summaryListeners) l(sorted);
    return structural;
  }
  private changedSummaries = new Set<TreeNode>();

  private get hiddenDb(): DatabaseNode | undefined {
    for (const n of this.dbs.values()) if (n.hidden) return n;
    return undefined;
  }

  async roots(): Promise<TreeNode[]> {
    await this.ensureSummaries();
    const states = this.ctx.options().states;
    const out: TreeNode[] = [];
    const single = this.hiddenDb;
    if (single) out.push(...await single.children());
    else {
      for (const n of this.dbs.values()) {
        if (states.length && n.readable && matchingCount(n.summary.runCounts ?? {}, states) === 0) continue;
        out.push(n);
      }
    }
    if (states.length && out.length === 0 && this.dbs.size > 0) {
      out.push(new MessageNode(undefined, `No runs are ${filterDescription(states)?.replace(/, ([^,]*)$/, ' or $1')}`,
        'The state filter hides everything. Click to clear it.', 'filter', { command: 'experimentHealth.clearFilter', title: 'Clear Filter' }));
    }
    if (this.other) {
      // with no experiment database at all, the others are the tree (each offers Create Mapping…)
      if (this.dbs.size === 0) out.push(...await this.other.children());
      else out.push(this.other);
    }
    return out;
  }

  /** The server says these databases changed: re-read them only, re-render only what changed. */
  databasesChanged(paths: readonly string[]): Promise<void> {
    for (const p of paths) this.pendingPaths.add(p);
    // serialised (GitLens' @sequentialize): one re-read at a time, coalescing paths that arrive meanwhile
    this.queue = this.queue.then(() => this.applyChanges()).catch(() => undefined);
    return this.queue;
  }

  private async applyChanges(): Promise<void> {
    const paths = [...this.pendingPaths];
    this.pendingPaths.clear();
    if (!paths.length) return;
    if (!this.summaries) { await this.ensureSummaries(); this.fire(undefined); return; }
    this.changedSummaries.clear();
    let structural = await this.readSummaries();
    const changed: TreeNode[] = [...this.changedSummaries].filter((n) => !(n instanceof DatabaseNode && n.hidden));
    for (const p of paths) {
      const node = this.dbs.get(p);
      if (!node) continue;
      const r = await node.refreshChildren();
      if (r === 'structure') { if (node.hidden) structural = true; else changed.push(node); } else changed.push(...r);
    }
    if (structural) this.fire(undefined);
    else if (changed.length) this.fire([...new Set(changed)]);
  }

  /** The list is empty (discovery may not be done), or a database is still being read: states the server leaves soon. */
  get empty(): boolean { return !this.summaries || this.summaries.length === 0; }
  get reading(): boolean { return !!this.summaries?.some((x) => x.status === 'reading'); }

  /**
   * Re-reads the summaries alone (no database reported as changed): the safety net for the
   * transitional states above, in case a change notification was missed.
   */
  pollSummaries(): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (!this.summaries) return;
      this.changedSummaries.clear();
      const structural = await this.readSummaries();
      const changed = [...this.changedSummaries].filter((n) => !(n instanceof DatabaseNode && n.hidden));
      if (structural) this.fire(undefined);
      else if (changed.length) this.fire(changed);
    }).catch(() => undefined);
    return this.queue;
  }

  /** Forgets everything and reads it again (the Refresh command). */
  async reload(): Promise<void> {
    await this.queue;
    for (const n of this.dbs.values()) n.dispose();
    this.dbs.clear();
    this.other = undefined;
    this.summaries = undefined;
    this.fire(undefined);
  }

  /** Filter, grouping or sort changed: keep databases and experiments, re-read runs on demand. */
  optionsChanged(): void {
    for (const n of this.dbs.values()) n.resetRuns();
    this.fire(undefined);
  }

  /** Appends the next page below the owner of `node` (a "Load more" item or a pageable node). */
  async loadMore(node: TreeNode): Promise<void> {
    const pager = pagerOf(node);
    if (!pager) return;
    await pager.loadMore();
    this.fire([pager.owner]);
  }

  /** A node by id, among those loaded. */
  async find(id: string): Promise<TreeNode | undefined> {
    const walk = async (nodes: TreeNode[]): Promise<TreeNode | undefined> => {
      for (const n of nodes) {
        if (n.id === id) return n;
        if (id.startsWith(n.id) || n instanceof OtherDatabasesNode) {
          const hit = await walk(await n.children());
          if (hit) return hit;
        }
      }
      return undefined;
    };
    return walk(await this.roots());
  }

  dispose(): void { disposeAll(this.dbs.values()); this.dbs.clear(); }
}

export function pagerOf(node: TreeNode): RunPager | undefined {
  if (node instanceof LoadMoreNode) return node.pager;
  if (node instanceof ExperimentNode) return node.runPager;
  if (node instanceof GroupNode || node instanceof RecentNode) return node.pager;
  return undefined;
}
