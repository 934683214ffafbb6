import type { DatabaseSummary } from '../../../shared/protocol';
import { CV, databaseContextValue } from '../contextValues';
import { basename, databaseDescription, databaseIcon, databaseTooltip } from '../format';
import { databaseId, messageId, OTHER_DATABASES_ID } from '../ids';
import { TreeNode, type ItemSpec, type NodeTarget } from './base';

/** A line of text with an icon: "no runs match the filter" and the like (never an empty tree). */
export class MessageNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode | undefined, private readonly text: string, private readonly tooltip?: string, private readonly icon = 'info',
    private readonly command?: ItemSpec['command']) {
    super(parent);
    this.id = messageId(parent?.id ?? 'experimentHealth://', text);
  }
  item(): ItemSpec {
    return { id: this.id, label: this.text, tooltip: this.tooltip, icon: { id: this.icon }, contextValue: CV.message, collapsible: 'none', command: this.command };
  }
}

/** A file found that holds no experiments (or is not a database at all): listed quietly. */
export class QuietDatabaseNode extends TreeNode {
  readonly id: string;
  constructor(parent: TreeNode | undefined, public summary: DatabaseSummary) { super(parent); this.id = databaseId(summary.path); }
  /** For commands that take `{ path }` (Close Database). */
  get path(): string { return this.summary.path; }
  item(): ItemSpec {
    return {
      id: this.id, label: basename(this.summary.path), description: databaseDescription(this.summary), tooltip: databaseTooltip(this.summary) + (this.summary.unreadable ? '' : '\n\nRight-click → **Create Mapping…** if it does hold experiments.'),
      icon: databaseIcon(this.summary), contextValue: databaseContextValue(this.summary), collapsible: 'none',
      command: undefined,
    };
  }
  override get target(): NodeTarget { return { kind: 'database', path: this.summary.path, summary: this.summary }; }
}

/** "Other databases": files found that are not experiment databases, collapsed. */
export class OtherDatabasesNode extends TreeNode {
  readonly id = OTHER_DATABASES_ID;
  private nodes: QuietDatabaseNode[] = [];
  constructor(public summaries: DatabaseSummary[]) { super(undefined); }
  item(): ItemSpec {
    return {
      id: this.id, label: 'Other databases', description: `${this.summaries.length} not experiment ${this.summaries.length === 1 ? 'database' : 'databases'}`,
      tooltip: 'Files found in the workspace that hold no experiments: SQLite databases whose tables match no profile, and files that are empty or not SQLite at all.',
      icon: { id: 'database', color: 'disabledForeground' }, contextValue: CV.otherDatabases, collapsible: 'collapsed',
    };
  }
  override async children(): Promise<TreeNode[]> {
    const old = new Map(this.nodes.map((n) => [n.summary.path, n]));
    this.nodes = this.summaries.map((s) => { const n = old.get(s.path) ?? new QuietDatabaseNode(this, s); n.summary = s; return n; });
    return this.nodes;
  }
}
