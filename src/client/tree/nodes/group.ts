import type { RunState } from '../../../core/model';
import type { RunGroup } from '../../../shared/protocol';
import { CV } from '../contextValues';
import { countsText, stateIcon, worstState } from '../format';
import { groupId } from '../ids';
import { sameData, TreeNode, type ItemSpec, type TreeContext } from './base';
import { RunPager, type Refreshed, type RunDisplay } from './run';

/** Runs of one experiment sharing a configuration (e.g. a network) or a state. */
export class GroupNode extends TreeNode {
  readonly id: string;
  readonly pager: RunPager;

  constructor(parent: TreeNode & { readonly experimentId: string }, ctx: TreeContext, private readonly display: RunDisplay,
    readonly by: 'config' | 'state', public group: RunGroup) {
    super(parent);
    this.id = groupId(parent.id, by, group.key);
    this.pager = new RunPager(this, ctx, () => {
      const o = ctx.options();
      return by === 'state'
        ? { path: display.path, experimentId: parent.experimentId, states: [group.key as RunState], sort: o.sortBy }
        : { path: display.path, experimentId: parent.experimentId, config: group.key, states: o.states.length ? o.states : undefined, sort: o.sortBy };
    }, display);
  }

  get experimentId(): string { return (this.parent as unknown as { experimentId: string }).experimentId; }

  update(group: RunGroup): boolean {
    if (sameData(group, this.group)) return false;
    this.group = group;
    return true;
  }

  item(): ItemSpec {
    const g = this.group;
    const icon = this.by === 'state' ? stateIcon(g.key as RunState) : stateIcon(worstState(undefined, g.runCounts));
    return {
      id: this.id,
      label: g.label,
      description: this.by === 'state' ? `${g.count} ${g.count === 1 ? 'run' : 'runs'}` : countsText(g.count, g.runCounts),
      tooltip: `**${this.by === 'state' ? 'State' : 'Configuration'}** \`${g.label.replace(/`/g, "'")}\`\n\n${countsText(g.count, g.runCounts)}`,
      icon,
      contextValue: CV.group,
      collapsible: g.count > 0 ? 'collapsed' : 'none',
    };
  }

  override children(): Promise<TreeNode[]> { return this.pager.children(); }
  refresh(): Promise<Refreshed> { return this.pager.refresh(); }
  override reset(): void { this.pager.reset(); }

  /** What the group selects (not a `target`: a group must never widen a cleanup to its experiment). */
  get selector(): { path: string; experimentId: string; by: 'config' | 'state'; key: string } {
    return { path: this.display.path, experimentId: this.experimentId, by: this.by, key: this.group.key };
  }
}
