// The editor panels: run details and experiment charts. Opened on demand (tree menus, the report's
// code lenses, the palette with quick picks), restored after a reload by webview serializers.
import * as vscode from 'vscode';
import type { ChartData } from '../../core/charts';
import type { BarRef, ChartsState, RunDetailsState, RunDetailsView } from '../../webview/shared/messages';
import { Disposable } from '../disposable';
import type { ServerConnection } from '../languageClient';
import { log } from '../log';
import { completeChartsTarget, completeRunTarget } from './args';
import { DatabaseChanges } from './changes';
import { CHARTS_VIEW_TYPE, ChartsPanel, type RenderedInfo, type Selection } from './chartsPanel';
import { RUN_DETAILS_VIEW_TYPE, RunDetailsPanel } from './runDetailsPanel';

/** Test-only commands (not contributed): what the panels last sent to and heard from their webviews. */
export const PANELS_TEST_COMMANDS = {
  lastChartData: 'experimentHealth.test.lastChartData',
  lastRunDetails: 'experimentHealth.test.lastRunDetails',
  panels: 'experimentHealth.test.panels',
  /** `{ path, experimentId, bar: BarRef }`: what a click on that bar does. */
  selectBar: 'experimentHealth.test.selectBar',
} as const;

export interface PanelsSnapshot {
  charts: { path: string; experimentId: string; title: string; visible: boolean; rendered?: RenderedInfo }[];
  runDetails: { path: string; runId: string; title: string; visible: boolean; rendered?: { ms: number; sections: string[]; theme: string; at: number } }[];
  lastSelection?: Selection;
}

class Panels extends Disposable {
  private readonly charts = new Set<ChartsPanel>();
  private readonly runs = new Set<RunDetailsPanel>();
  private readonly changes: DatabaseChanges;
  private lastChartData?: ChartData;
  private lastRunDetails?: RunDetailsView;
  private lastSelection?: Selection;
  private readonly renderedCharts = new Map<string, RenderedInfo>();
  private readonly renderedRuns = new Map<string, { ms: number; sections: string[]; theme: string; at: number }>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly connection: ServerConnection) {
    super();
    this.changes = this.register(new DatabaseChanges(connection));
    const reg = (id: string, fn: (...args: unknown[]) => unknown) => this.register(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try { return await fn(...args); } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        log.error(`${id} failed: ${msg}`);
        void vscode.window.showErrorMessage(`${id === 'experimentHealth.showCharts' ? 'Experiment charts' : 'Run details'} could not be opened: ${msg}`, 'Show Log')
          .then((a) => { if (a) log.show(); });
        return undefined;
      }
    }));
    reg('experimentHealth.showCharts', async (arg) => {
      const t = await completeChartsTarget(connection, arg);
      return t ? this.openCharts({ kind: 'charts', ...t }) : undefined;
    });
    reg('experimentHealth.showRunDetails', async (arg) => {
      const t = await completeRunTarget(connection, arg);
      return t ? this.openRunDetails({ kind: 'runDetails', ...t }) : undefined;
    });
    this.register(vscode.window.registerWebviewPanelSerializer(CHARTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const s = state as Partial<ChartsState> | undefined;
        if (!s?.path || s.experimentId === undefined) { panel.dispose(); return; }
        this.track(new ChartsPanel(this.chartsHost(), panel, { kind: 'charts', path: s.path, experimentId: s.experimentId }));
      },
    }));
    this.register(vscode.window.registerWebviewPanelSerializer(RUN_DETAILS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const s = state as Partial<RunDetailsState> | undefined;
        if (!s?.path || !s.runId) { panel.dispose(); return; }
        this.trackRun(new RunDetailsPanel(this.runsHost(), panel, { kind: 'runDetails', path: s.path, runId: s.runId }));
      },
    }));
    reg(PANELS_TEST_COMMANDS.lastChartData, () => this.lastChartData);
    reg(PANELS_TEST_COMMANDS.selectBar, async (arg) => {
      const a = arg as { path: string; experimentId: string; bar: BarRef };
      const p = [...this.charts].find((x) => x.matches(a.path, a.experimentId));
      if (!p) throw new Error(`no charts panel for ${a.path} ${a.experimentId}`);
      this.lastSelection = undefined;
      await p.select(a.bar);
      return this.lastSelection;
    });
    reg(PANELS_TEST_COMMANDS.lastRunDetails, () => this.lastRunDetails);
    reg(PANELS_TEST_COMMANDS.panels, (): PanelsSnapshot => ({
      charts: [...this.charts].map((p) => ({ path: p.state.path, experimentId: p.state.experimentId, title: p.panel.title, visible: p.panel.visible,
        rendered: this.renderedCharts.get(`${p.state.path}\n${p.state.experimentId}`) })),
      runDetails: [...this.runs].map((p) => ({ path: p.state.path, runId: p.state.runId, title: p.panel.title, visible: p.panel.visible,
        rendered: this.renderedRuns.get(`${p.state.path}\n${p.state.runId}`) })),
      lastSelection: this.lastSelection,
    }));
  }

  private chartsHost() {
    return {
      extensionUri: this.context.extensionUri, connection: this.connection, changes: this.changes,
      posted: (d: ChartData) => { this.lastChartData = d; },
      rendered: (s: ChartsState, info: RenderedInfo) => { this.renderedCharts.set(`${s.path}\n${s.experimentId}`, info); },
      selected: (sel: Selection) => { this.lastSelection = sel; },
      closed: (p: ChartsPanel) => { this.charts.delete(p); },
    };
  }

  private runsHost() {
    return {
      extensionUri: this.context.extensionUri, connection: this.connection, changes: this.changes,
      posted: (d: RunDetailsView) => { this.lastRunDetails = d; },
      rendered: (s: RunDetailsState, info: { ms: number; sections: string[]; theme: string }) => { this.renderedRuns.set(`${s.path}\n${s.runId}`, { ...info, at: Date.now() }); },
      closed: (p: RunDetailsPanel) => { this.runs.delete(p); },
    };
  }

  private track(p: ChartsPanel): ChartsPanel { this.charts.add(p); this.register(p); return p; }
  private trackRun(p: RunDetailsPanel): RunDetailsPanel { this.runs.add(p); this.register(p); return p; }

  /** Opens (or reveals) the charts of one experiment; resolves once its data was fetched. */
  async openCharts(state: ChartsState): Promise<{ path: string; experimentId: string }> {
    let p = [...this.charts].find((x) => x.matches(state.path, state.experimentId));
    if (p) { p.reveal(); await p.refresh('revealed'); } else {
      p = this.track(ChartsPanel.create(this.chartsHost(), state));
      await p.refresh('opened');
    }
    return { path: state.path, experimentId: state.experimentId };
  }

  async openRunDetails(state: RunDetailsState): Promise<{ path: string; runId: string }> {
    let p = [...this.runs].find((x) => x.matches(state.path, state.runId));
    if (p) { p.reveal(); await p.refresh('revealed'); } else {
      p = this.trackRun(RunDetailsPanel.create(this.runsHost(), state));
      await p.refresh('opened');
    }
    return { path: state.path, runId: state.runId };
  }
}

export function registerPanels(context: vscode.ExtensionContext, connection: ServerConnection): vscode.Disposable {
  return new Panels(context, connection);
}
