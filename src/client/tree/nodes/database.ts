import type { Experiment } from '../../../core/model';
import type { DatabaseSummary } from '../../../shared/protocol';
import { databaseContextValue } from '../contextValues';
import { basename, databaseDescription, databaseIcon, databaseTooltip, experimentLabel, matchingCount } from '../format';
import { databaseId } from '../ids';
import { disposeAll, hiddenParam, sameData, TreeNode, type ItemSpec, type NodeTarget, type TreeContext } from './base';
import { ExperimentNode } from './experiment';
import { RecentNode } from './recent';
import type { RunDisplay } from './run';

/**
 * One database. Its children: "Recent runs", then its experiments (those with runs in the
 * filtered states when a filter is on). When it is the only database, the explorer shows these
 * children as roots (`hidden`), and the node itself is never rendered.
 */
export class DatabaseNode extends TreeNode {
  readonly id: string;
  private experiments: ExperimentNode[] | undefined;
  /** Whether the experiments were read with hidden (deleted) ones. */
  private loadedWithHidden = false;
  private recent: RecentNode | undefined;
  private loading: Promise<void> | undefined;
  private readonly display: RunDisplay;

  constructor(public summary: DatabaseSummary, private readonly ctx: TreeContext, public hidden = false) {
    super(undefined);
    // A database that is not readable yet (reading, error…) has its own id: when it becomes readable
    // it is a new element to VS Code, which then applies 'expanded' (it keeps an id's first state).
    this.id = summary.status === 'ok' ? databaseId(summary.path) : `${databaseId(summary.path)}#${summary.status}`;
    const labels = new Map<string, string>();
    this.labelOf = labels;
    const node = this;
    this.display = { path: summary.path, get profile() { return node.summary.profile; }, get idStyle() { return node.summary.idStyle; }, experimentLabel: (id) => labels.get(id) };
  }
  private readonly labelOf: Map<string, string>;

  get path(): string { return this.summary.path; }
  /** Whether it has experiments to show (as opposed to an error, unknown schema or reading item). */
  get readable(): boolean { return this.summary.status === 'ok'; }

  update(s: DatabaseSummary): boolean {
    if (sameData(s, this.summary)) return false;
    this.summary = s;
    return true;
  }

  /** The node's children's parent as VS Code sees it (undefined when the database level is hidden). */
  private get childParent(): TreeNode | undefined { return this.hidden ? undefined : this; }

  item(): ItemSpec {
    const s = this.summary;
    const isError = s.status === 'error' || s.status === 'gone';
    return {
      id: this.id,
      label: basename(s.path),
      description: databaseDescription(s),
      tooltip: databaseTooltip(s) + (isError ? '\n\nClick to show the log.' : s.status === 'unknown-schema' ? '\n\nRight-click → **Create Mapping…** to describe its tables.' : ''),
      icon: databaseIcon(s),
      contextValue: databaseContextValue(s),
      collapsible: this.readable ? 'expanded' : 'none',
      command: isError ? { command: 'experimentHealth.showLog', title: 'Show Log' } : undefined,
    };
  }

  get loaded(): boolean { return this.experiments !== undefined; }

  override async children(): Promise<TreeNode[]> {
    if (!this.readable) return [];
    if (!this.experiments) { this.loading ??= this.load().finally(() => { this.loading = undefined; }); await this.loading; }
    return this.visible();
  }

  /** The experiment nodes, loaded or not (for tests and reveal). */
  experimentNodes(): ExperimentNode[] { return this.experiments ?? []; }

  private visible(): TreeNode[] {
    const states = this.ctx.options().states;
    const exps = (this.experiments ?? []).filter((e) => !states.length || matchingCount(e.experiment.runCounts, states) > 0);
    this.recent ??= new RecentNode(this.childParent, this.ctx, this.display);
    return exps.length ? [this.recent, ...exps] : [];
  }

  private async load(): Promise<void> {
    this.loadedWithHidden = this.ctx.options().showHidden;
    const list = await this.ctx.source.experiments({ path: this.path, ...hiddenParam(this.ctx) });
    this.setLabels(list);
    this.experiments = list.map((e) => new ExperimentNode(this.childParent, this.ctx, this.display, e));
  }

  private setLabels(list: Experiment[]): void {
    this.labelOf.clear();
    for (const e of list) this.labelOf.set(e.id, experimentLabel(e));
  }

  /**
   * Re-reads experiments (and what is loaded below them) after the server said this database
   * changed. Returns the nodes to re-render, or 'structure' when this node's children changed.
   */
  async refreshChildren(): Promise<TreeNode[] | 'structure'> {
    if (!this.readable) { const had = !!this.experiments; this.reset(); return had ? 'structure' : []; }
    if (!this.experiments) return [];
    const before = this.visible().map((n) => n.id);
    const list = await this.ctx.source.experiments({ path: this.path, ...hiddenParam(this.ctx) });
    this.setLabels(list);
    const old = new Map(this.experiments.map((e) => [e.experiment.id, e]));
    const changed: TreeNode[] = [];
    const next = list.map((e) => {
      const n = old.get(e.id);
      if (!n) return new ExperimentNode(this.childParent, this.ctx, this.display, e);
      if (n.update(e)) changed.push(n);
      return n;
    });
    disposeAll(this.experiments.filter((e) => !next.includes(e)));
    this.experiments = next;
    const after = this.visible().map((n) => n.id);
    const structural = before.length !== after.length || before.some((id, i) => id !== after[i]);
    // below each loaded experiment (and "recent runs"): fine-grained
    for (const e of next) {
      if (!e.loaded) continue;
      const r = await e.refreshChildren();
      if (r === 'structure') { if (!changed.includes(e)) changed.push(e); } else changed.push(...r);
    }
    if (this.recent?.pager.isLoaded) {
      const r = await this.recent.refresh();
      if (r === 'structure') changed.push(this.recent); else changed.push(...r);
    }
    return structural ? 'structure' : changed;
  }

  override reset(): void {
    if (this.experiments) disposeAll(this.experiments);
    this.experiments = undefined;
    this.recent?.reset();
    this.recent = undefined;
  }

  /** Forgets what is loaded below experiments (filter, grouping or sort changed), keeping the experiments. */
  resetRuns(): void {
    // Showing or hiding deleted rows changes the experiments themselves.
    if (this.experiments && this.loadedWithHidden !== this.ctx.options().showHidden) return this.reset();
    for (const e of this.experiments ?? []) e.reset();
    this.recent?.reset();
  }

  override get target(): NodeTarget { return { kind: 'database', path: this.path, summary: this.summary }; }
}
