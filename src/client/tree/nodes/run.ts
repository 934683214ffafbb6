import type { Run } from '../../../core/model';
import type { RunsParams } from '../../../shared/protocol';
import { runContextValue, CV } from '../contextValues';
import { formatCount, runDescription, runLabel, runTooltip, stateIcon } from '../format';
import { loadMoreId, runId } from '../ids';
import { sameData, TreeNode, type ItemSpec, type NodeTarget, type TreeContext } from './base';

export interface RunDisplay {
  path: string;
  profile?: string;
  /** Shown in front of the description (recent runs span experiments). */
  showExperiment?: boolean;
  experimentLabel(id: string): string | undefined;
}

export class RunNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode, private readonly ctx: TreeContext, private readonly display: RunDisplay, public run: Run, public shortId: string | undefined) {
    super(parent);
    this.id = runId(parent.id, run.id);
  }

  /** Takes fresh data; true when anything shown changed. */
  update(run: Run, shortId: string | undefined): boolean {
    if (sameData(run, this.run) && shortId === this.shortId) return false;
    this.run = run; this.shortId = shortId;
    return true;
  }

  item(): ItemSpec {
    const now = this.ctx.now();
    const expLabel = this.display.experimentLabel(this.run.experimentId);
    return {
      id: this.id,
      label: runLabel(this.run, this.shortId),
      description: runDescription(this.run, now, { experimentLabel: this.display.showExperiment ? expLabel : undefined }),
      tooltip: runTooltip(this.run, now, { shortId: this.shortId, experimentLabel: expLabel }),
      icon: stateIcon(this.run.state),
      contextValue: runContextValue(this.run, this.display.profile),
      collapsible: 'none',
      command: { command: 'experimentHealth.showRunDetails', title: 'Show Run Details', withNode: true },
    };
  }

  override get target(): NodeTarget {
    return { kind: 'run', path: this.display.path, experimentId: this.run.experimentId, runId: this.run.id, run: this.run, shortId: this.shortId, profile: this.display.profile };
  }
}

export class LoadMoreNode extends TreeNode {
  readonly id: string;
  constructor(readonly pager: RunPager) { super(pager.owner); this.id = loadMoreId(pager.owner.id); }
  item(): ItemSpec {
    const next = Math.min(this.pager.pageSize(), this.pager.total - this.pager.loadedCount);
    return {
      id: this.id,
      label: `Load ${formatCount(next)} more…`,
      description: `${formatCount(this.pager.loadedCount)} of ${formatCount(this.pager.total)} shown`,
      tooltip: `Shows the next ${formatCount(next)} runs (page size: setting \`experimentHealth.pageSize\`).`,
      icon: { id: 'more' },
      contextValue: CV.loadMore,
      collapsible: 'none',
      command: { command: 'experimentHealth.loadMore', title: 'Load More Runs', withNode: true },
    };
  }
}

export type RunQuery = Omit<RunsParams, 'offset' | 'limit'>;

/** Result of re-reading a pager: nodes whose own item changed, or 'structure' when rows came, went or moved. */
export type Refreshed = TreeNode[] | 'structure';

/**
 * A paged list of runs (GitLens PageableViewNode): the first page on first expand, `loadMore()`
 * appends the next one, `refresh()` re-reads what is loaded and updates run nodes in place.
 */
export class RunPager {
  private nodes: RunNode[] = [];
  private more: LoadMoreNode | undefined;
  total = 0;
  private loading: Promise<void> | undefined;
  private loaded = false;
  /** How long the first page took (ms), for the log and the performance test. */
  firstPageMs: number | undefined;

  constructor(readonly owner: TreeNode, private readonly ctx: TreeContext, private readonly query: () => RunQuery, private readonly display: RunDisplay) {}

  get loadedCount(): number { return this.nodes.length; }
  get isLoaded(): boolean { return this.loaded; }
  pageSize(): number { return this.ctx.pageSize(); }

  async children(): Promise<TreeNode[]> {
    if (!this.loaded) {
      this.loading ??= this.fetchFirst().finally(() => { this.loading = undefined; });
      await this.loading;
    }
    return this.list();
  }

  private list(): TreeNode[] {
    const out: TreeNode[] = [...this.nodes];
    if (this.nodes.length < this.total) out.push(this.more ??= new LoadMoreNode(this));
    return out;
  }

  private async fetchFirst(): Promise<void> {
    const t0 = Date.now();
    const page = await this.ctx.source.runs({ ...this.query(), offset: 0, limit: this.ctx.pageSize() });
    this.nodes = page.runs.map((r) => new RunNode(this.owner, this.ctx, this.display, r, page.shortIds[r.id]));
    this.total = page.total;
    this.loaded = true;
    this.firstPageMs = Date.now() - t0;
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (this.loading) await this.loading;
    if (!this.loaded) return void (await this.children());
    const page = await this.ctx.source.runs({ ...this.query(), offset: this.nodes.length, limit: this.ctx.pageSize() });
    const have = new Set(this.nodes.map((n) => n.run.id));
    for (const r of page.runs) if (!have.has(r.id)) this.nodes.push(new RunNode(this.owner, this.ctx, this.display, r, page.shortIds[r.id]));
    this.total = page.total;
  }

  /** Re-reads the loaded range. Unchanged structure → only the changed run nodes are returned. */
  async refresh(): Promise<Refreshed> {
    if (!this.loaded) return [];
    const limit = Math.max(this.nodes.length, this.ctx.pageSize());
    const page = await this.ctx.source.runs({ ...this.query(), offset: 0, limit });
    const wasMore = this.nodes.length < this.total;
    const oldTotal = this.total;
    const before = this.nodes.map((n) => n.run.id);
    const byId = new Map(this.nodes.map((n) => [n.run.id, n]));
    const changed: TreeNode[] = [];
    // keep as many rows as were shown (a page at least), reusing nodes by id
    const keep = page.runs.slice(0, Math.max(this.nodes.length, Math.min(this.ctx.pageSize(), page.runs.length)));
    this.nodes = keep.map((r) => {
      const n = byId.get(r.id);
      if (!n) return new RunNode(this.owner, this.ctx, this.display, r, page.shortIds[r.id]);
      if (n.update(r, page.shortIds[r.id])) changed.push(n);
      return n;
    });
    this.total = page.total;
    const structural = before.length !== this.nodes.length || before.some((id, i) => id !== this.nodes[i].run.id)
      || wasMore !== (this.nodes.length < this.total);
    if (structural) return 'structure';
    if (this.more && wasMore && oldTotal !== this.total) changed.push(this.more); // "n of N shown"
    return changed;
  }

  reset(): void { this.nodes = []; this.more = undefined; this.total = 0; this.loaded = false; this.firstPageMs = undefined; }
}
