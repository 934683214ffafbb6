import { CV } from '../contextValues';
import { recentId } from '../ids';
import { TreeNode, type ItemSpec, type TreeContext } from './base';
import { RunPager, type Refreshed, type RunDisplay } from './run';

/** "Recent runs": the newest runs across all experiments of a database (like `runs tail`). */
export class RecentNode extends TreeNode {
  readonly id: string;
  readonly pager: RunPager;

  constructor(parent: TreeNode | undefined, ctx: TreeContext, display: RunDisplay) {
    super(parent);
    this.id = recentId(display.path);
    this.pager = new RunPager(this, ctx, () => {
      const states = ctx.options().states;
      return { path: display.path, states: states.length ? states : undefined };
    }, { path: display.path, get profile() { return display.profile; }, experimentLabel: (id) => display.experimentLabel(id), showExperiment: true });
  }

  item(): ItemSpec {
    return {
      id: this.id,
      label: 'Recent runs',
      description: 'newest first, all experiments',
      tooltip: 'The newest runs across all experiments of this database (the state filter applies).',
      icon: { id: 'history' },
      contextValue: CV.recent,
      collapsible: 'collapsed',
    };
  }

  override children(): Promise<TreeNode[]> { return this.pager.children(); }
  refresh(): Promise<Refreshed> { return this.pager.refresh(); }
  override reset(): void { this.pager.reset(); }
}
