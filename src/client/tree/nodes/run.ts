import type { IdStyle } from '../../../core/ids';
import type { Run } from '../../../core/model';
import type { RunsPage, RunsParams } from '../../../shared/protocol';
import { runContextValue, CV } from '../contextValues';
import { formatCount, plural, runDescription, runLabel, runTooltip, stateIcon } from '../format';
import { loadMoreId, runId } from '../ids';
import { hiddenParam, sameData, TreeNode, type ItemSpec, type NodeTarget, type TreeContext } from './base';

export interface RunDisplay {
  path: string;
  profile?: string;
  /** How the database's system prints ids (core/ids.ts). */
  idStyle?: IdStyle;
  /** Shown in front of the description (recent runs span experiments). */
  showExperiment?: boolean;
  experimentLabel(id: string): string | undefined;
}

export class RunNode extends TreeNode {
  readonly id: string;
  /** Nested runs (MLflow's child runs), paged like an experiment's; only when it has any. */
  private nested: RunPager | undefined;

  constructor(parent: TreeNode, private readonly ctx: TreeContext, private readonly display: RunDisplay, public run: Run, public shortId: string | undefined,
    public childCount = 0, private readonly query?: () => RunQuery) {
    super(parent);
    this.id = runId(parent.id, run.id);
  }

  /** Takes fresh data; true when anything shown changed. */
  update(run: Run, shortId: string | undefined, childCount = 0): boolean {
    if (sameData(run, this.run) && shortId === this.shortId && childCount === this.childCount) return false;
    this.run = run; this.shortId = shortId;
    if (!childCount) this.reset();
    this.childCount = childCount;
    return true;
  }

  item(): ItemSpec {
    const now = this.ctx.now();
    const expLabel = this.display.experimentLabel(this.run.experimentId);
    const nested = this.childCount ? plural(this.childCount, 'child run') : undefined;
    const description = runDescription(this.run, now, { experimentLabel: this.display.showExperiment ? expLabel : undefined });
    return {
      id: this.id,
      label: runLabel(this.run, this.shortId, this.display.idStyle),
      description: [this.run.hidden ? 'deleted' : undefined, nested, description].filter(Boolean).join(' · '),
      tooltip: runTooltip(this.run, now, { shortId: this.shortId, experimentLabel: expLabel, idStyle: this.display.idStyle }) + (nested ? `\n\n${nested} nested under this run` : ''),
      icon: this.run.hidden ? { id: 'trash' } : stateIcon(this.run.state),
      contextValue: runContextValue(this.run, this.display.profile),
      collapsible: this.childCount && this.query ? 'collapsed' : 'none',
      command: { command: 'experimentHealth.showRunDetails', title: 'Show Run Details', withNode: true },
    };
  }

  /** The pager of nested runs, created on first expand. */
  get childPager(): RunPager | undefined {
    if (!this.childCount || !this.query) return undefined;
    const base = this.query;
    return this.nested ??= new RunPager(this, this.ctx, () => ({ ...base(), parentRunId: this.run.id }), this.display);
  }

  /** The nested runs' pager when they were loaded (a refresh re-reads only those). */
  get loadedChildPager(): RunPager | undefined { return this.nested?.isLoaded ? this.nested : undefined; }

  override children(): Promise<TreeNode[]> { return this.childPager?.children() ?? Promise.resolve([]); }
  override reset(): void { this.nested?.reset(); this.nested = undefined; }

  override get target(): NodeTarget {
    return { kind: 'run', path: this.display.path, experimentId: this.run.experimentId, runId: this.run.id, run: this.run, shortId: this.shortId, profile: this.display.profile, idStyle: this.display.idStyle };
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
    const page = await this.fetch(0, this.ctx.pageSize());
    this.nodes = page.runs.map((r) => this.node(r, page));
    this.total = page.total;
    this.loaded = true;
    this.firstPageMs = Date.now() - t0;
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (this.loading) await this.loading;
    if (!this.loaded) return void (await this.children());
    const page = await this.fetch(this.nodes.length, this.ctx.pageSize());
    const have = new Set(this.nodes.map((n) => n.run.id));
    for (const r of page.runs) if (!have.has(r.id)) this.nodes.push(this.node(r, page));
    this.total = page.total;
  }

  /** Re-reads the loaded range. Unchanged structure → only the changed run nodes are returned. */
  async refresh(): Promise<Refreshed> {
    if (!this.loaded) return [];
    const limit = Math.max(this.nodes.length, this.ctx.pageSize());
    const page = await this.fetch(0, limit);
    const wasMore = this.nodes.length < this.total;
    const oldTotal = this.total;
    const before = this.nodes.map((n) => n.run.id);
    const byId = new Map(this.nodes.map((n) => [n.run.id, n]));
    const changed: TreeNode[] = [];
    let structuralChild = false;
    // keep as many rows as were shown (a page at least), reusing nodes by id
    const keep = page.runs.slice(0, Math.max(this.nodes.length, Math.min(this.ctx.pageSize(), page.runs.length)));
    this.nodes = keep.map((r) => {
      const n = byId.get(r.id);
      if (!n) return this.node(r, page);
      const hadChildren = n.childCount > 0;
      if (n.update(r, page.shortIds[r.id], page.childCounts?.[r.id])) changed.push(n);
      if (hadChildren !== n.childCount > 0) structuralChild = true;
      return n;
    });
    this.total = page.total;
    const structural = before.length !== this.nodes.length || before.some((id, i) => id !== this.nodes[i].run.id)
      || wasMore !== (this.nodes.length < this.total);
    if (structural || structuralChild) return 'structure';
    if (this.more && wasMore && oldTotal !== this.total) changed.push(this.more); // "n of N shown"
    // Expanded nested runs re-read their own children.
    for (const n of this.nodes) {
      const nested = n.loadedChildPager; // not childPager: that would create pagers nobody expanded
      if (!nested) continue;
      const r = await nested.refresh();
      if (r === 'structure') { if (!changed.includes(n)) changed.push(n); } else changed.push(...r);
    }
    return changed;
  }

  private fetch(offset: number, limit: number) {
    return this.ctx.source.runs({ ...this.query(), ...hiddenParam(this.ctx), offset, limit });
  }

  private node(r: Run, page: RunsPage): RunNode {
    return new RunNode(this.owner, this.ctx, this.display, r, page.shortIds[r.id], page.childCounts?.[r.id], this.query);
  }

  reset(): void { this.nodes = []; this.more = undefined; this.total = 0; this.loaded = false; this.firstPageMs = undefined; }
}
