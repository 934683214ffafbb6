import type { Experiment } from '../../../core/model';
import type { RunGroup } from '../../../shared/protocol';
import { experimentContextValue } from '../contextValues';
import { countsText, experimentLabel, experimentTooltip, plural, stateIcon, totalOf, worstState } from '../format';
import { experimentId } from '../ids';
import { disposeAll, hiddenParam, sameData, TreeNode, type ItemSpec, type NodeTarget, type TreeContext } from './base';
import { GroupNode } from './group';
import { RunPager, type RunDisplay } from './run';

export class ExperimentNode extends TreeNode {
  readonly id: string;
  private readonly pager: RunPager;
  private groups: GroupNode[] | undefined;
  private groupsLoading: Promise<void> | undefined;
  /** ms the last first load of children took (first page, or the groups), for logs and tests. */
  childrenMs: number | undefined;

  constructor(parent: TreeNode | undefined, private readonly ctx: TreeContext, private readonly display: RunDisplay, public experiment: Experiment) {
    super(parent);
    this.id = experimentId(display.path, experiment.id);
    this.pager = new RunPager(this, ctx, () => {
      const o = ctx.options();
      return { path: display.path, experimentId: experiment.id, states: o.states.length ? o.states : undefined, sort: o.sortBy };
    }, display);
  }

  get experimentId(): string { return this.experiment.id; }

  update(e: Experiment): boolean {
    if (sameData(e, this.experiment)) return false;
    this.experiment = e;
    return true;
  }

  item(): ItemSpec {
    const e = this.experiment;
    const total = e.runTotal ?? totalOf(e.runCounts);
    // Deleted runs count only while they are shown (Show Deleted).
    const hidden = this.ctx.options().showHidden ? e.hiddenRuns ?? 0 : 0;
    const counts = countsText(total, e.runCounts);
    return {
      id: this.id,
      label: experimentLabel(e),
      description: e.hidden ? `deleted · ${counts}` : hidden ? `${counts} · ${plural(hidden, 'deleted run')}` : counts,
      tooltip: experimentTooltip(e, this.ctx.now(), this.display.idStyle),
      icon: e.hidden ? { id: 'trash' } : stateIcon(worstState(e.state, e.runCounts)),
      contextValue: experimentContextValue(e, this.display.profile),
      collapsible: total + hidden > 0 ? 'collapsed' : 'none',
    };
  }

  get loaded(): boolean { return this.ctx.options().groupBy === 'none' ? this.pager.isLoaded : this.groups !== undefined; }

  override async children(): Promise<TreeNode[]> {
    const by = this.ctx.options().groupBy;
    const t0 = Date.now();
    const first = !this.loaded;
    let out: TreeNode[];
    if (by === 'none') out = await this.pager.children();
    else {
      if (!this.groups) { this.groupsLoading ??= this.loadGroups(by).finally(() => { this.groupsLoading = undefined; }); await this.groupsLoading; }
      out = [...(this.groups ?? [])];
    }
    if (first) this.childrenMs = Date.now() - t0;
    return out;
  }

  private async fetchGroups(by: 'config' | 'state'): Promise<RunGroup[]> {
    const o = this.ctx.options();
    const groups = await this.ctx.source.groups({ path: this.display.path, experimentId: this.experiment.id, by, states: o.states.length ? o.states : undefined, ...hiddenParam(this.ctx) });
    return groups.filter((g) => g.count > 0);
  }

  private async loadGroups(by: 'config' | 'state'): Promise<void> {
    const groups = await this.fetchGroups(by);
    this.groups = groups.map((g) => new GroupNode(this, this.ctx, this.display, by, g));
  }

  /** Re-reads what is loaded below this experiment; returns the nodes to re-render. */
  async refreshChildren(): Promise<TreeNode[] | 'structure'> {
    const by = this.ctx.options().groupBy;
    if (by === 'none') return this.pager.refresh();
    if (!this.groups) return [];
    const fresh = await this.fetchGroups(by);
    const old = new Map(this.groups.map((g) => [g.group.key, g]));
    const structural = fresh.length !== this.groups.length || fresh.some((g, i) => g.key !== this.groups![i].group.key);
    const changed: TreeNode[] = [];
    const next = fresh.map((g) => {
      const n = old.get(g.key);
      if (!n) return new GroupNode(this, this.ctx, this.display, by, g);
      if (n.update(g)) changed.push(n);
      return n;
    });
    disposeAll(this.groups.filter((g) => !next.includes(g)));
    this.groups = next;
    if (structural) return 'structure';
    for (const g of next) {
      const r = await g.refresh();
      if (r === 'structure') { if (!changed.includes(g)) changed.push(g); } else changed.push(...r);
    }
    return changed;
  }

  /** The run pager when runs are not grouped (tests, "load more"). */
  get runPager(): RunPager { return this.pager; }

  override reset(): void {
    this.pager.reset();
    if (this.groups) disposeAll(this.groups);
    this.groups = undefined;
    this.childrenMs = undefined;
  }

  override get target(): NodeTarget {
    return { kind: 'experiment', path: this.display.path, experimentId: this.experiment.id, experiment: this.experiment, profile: this.display.profile, idStyle: this.display.idStyle };
  }
}
