// Experiment charts: an editor webview panel per experiment. The server aggregates (bins, never
// one point per run); this class fetches, posts the typed data, follows database changes, and
// turns a clicked bar into "select those runs in the explorer".
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChartBin, ChartData } from '../../core/charts';
import { ChartRunIdsRequest, ExperimentChartsRequest, OpenDatabaseRequest } from '../../shared/protocol';
import type { BarRef, ChartsState, FromChartsWebview, ToChartsWebview } from '../../webview/shared/messages';
import { Disposable } from '../disposable';
import type { ServerConnection } from '../languageClient';
import { log } from '../log';
import type { DatabaseChanges } from './changes';
import { applyOptions, panelHtml, panelOptions } from './html';

export const CHARTS_VIEW_TYPE = 'experimentHealth.charts';
export const REVEAL_RUNS_COMMAND = 'experimentHealth.revealRuns';

export interface RenderedInfo { ms: number; charts: number; bars: number; tables: number; theme: string; at: number; domMs?: number; firstChartMs?: number; chartsMs?: number }
export interface Selection { path: string; experimentId: string; runIds: string[]; total: number; revealed: boolean }

/** Shared by every charts panel: what tests read back. */
export interface ChartsPanelHost {
  extensionUri: vscode.Uri;
  connection: ServerConnection;
  changes: DatabaseChanges;
  posted(data: ChartData): void;
  rendered(state: ChartsState, info: RenderedInfo): void;
  selected(sel: Selection): void;
  closed(panel: ChartsPanel): void;
}

export class ChartsPanel extends Disposable {
  private data?: ChartData;
  private ready = false;
  private refreshing?: Promise<void>;
  private again = false;
  private pendingError?: string;

  static create(host: ChartsPanelHost, state: ChartsState): ChartsPanel {
    const panel = vscode.window.createWebviewPanel(CHARTS_VIEW_TYPE, 'Experiment Charts', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      panelOptions(host.extensionUri));
    return new ChartsPanel(host, panel, state);
  }

  constructor(private readonly host: ChartsPanelHost, readonly panel: vscode.WebviewPanel, readonly state: ChartsState) {
    super();
    applyOptions(panel, host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'experiment-health.svg');
    panel.title = 'Experiment Charts';
    this.register(panel.onDidDispose(() => { this.host.closed(this); this.dispose(); }));
    this.register(panel.webview.onDidReceiveMessage((m: FromChartsWebview) => void this.onMessage(m)));
    this.register(host.changes.watch());
    this.register(host.changes.onChanged((paths) => {
      if (paths.some((p) => path.resolve(p) === path.resolve(state.path))) void this.refresh('database changed');
    }));
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, { title: 'Experiment Charts', script: 'charts', styles: ['panels', 'charts'], state });
    void this.refresh('opened');
  }

  matches(p: string, experimentId: string): boolean { return path.resolve(p) === path.resolve(this.state.path) && experimentId === this.state.experimentId; }

  private post(m: ToChartsWebview): void { void this.panel.webview.postMessage(m); }

  /** Fetches the chart data (once more if asked again meanwhile) and posts it. */
  refresh(reason: string): Promise<void> {
    if (this.refreshing) { this.again = true; return this.refreshing; }
    this.refreshing = this.load(reason).finally(() => {
      this.refreshing = undefined;
      if (this.again) { this.again = false; void this.refresh('changed while loading'); }
    });
    return this.refreshing;
  }

  private async load(reason: string): Promise<void> {
    const { path: p, experimentId } = this.state;
    const t0 = Date.now();
    try {
      let data = await this.host.connection.request(ExperimentChartsRequest, { path: p, experimentId });
      if (!data) {
        // not open in the server yet (a restored panel, a path from elsewhere): open it, then ask again
        const summary = await this.host.connection.request(OpenDatabaseRequest, { path: p });
        if (summary.status === 'ok') data = await this.host.connection.request(ExperimentChartsRequest, { path: p, experimentId });
        else { this.fail(summary.message ?? `${path.basename(p)} cannot be read (${summary.status}).`); return; }
      }
      if (!data) { this.fail(`Experiment ${experimentId} is no longer in ${path.basename(p)}. It may have been deleted.`); return; }
      this.data = data;
      this.panel.title = `Charts: ${data.experimentLabel}`;
      log.info(`charts ${path.basename(p)} / ${data.experimentLabel} (${reason}): ${data.total} runs, aggregated in ${data.aggregationMs} ms by the server, ${Date.now() - t0} ms round trip`);
      this.host.posted(data);
      if (this.ready) this.post({ type: 'data', data, state: this.state });
    } catch (e) {
      this.fail(`The charts could not be computed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private fail(message: string): void {
    log.warn(`charts ${this.state.path} ${this.state.experimentId}: ${message}`);
    this.data = undefined;
    if (this.ready) this.post({ type: 'error', message });
    else this.pendingError = message;
  }

  private async onMessage(m: FromChartsWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.data) this.post({ type: 'data', data: this.data, state: this.state });
        else if (this.pendingError) this.post({ type: 'error', message: this.pendingError });
        return;
      case 'refresh': return this.refresh('refresh asked');
      case 'rendered':
        log.info(`charts rendered in ${m.ms.toFixed(0)} ms (page ${m.domMs?.toFixed(0)} ms, first chart at ${m.firstChartMs?.toFixed(0)} ms, charts ${m.chartsMs?.toFixed(0)} ms): ${m.charts} charts, ${m.bars} bars, ${m.tables} tables (${m.theme})`);
        this.host.rendered(this.state, { ms: m.ms, charts: m.charts, bars: m.bars, tables: m.tables, theme: m.theme, at: Date.now(), domMs: m.domMs, firstChartMs: m.firstChartMs, chartsMs: m.chartsMs });
        return;
      case 'select': return this.select(m.bar);
      case 'openRunDetails':
        await vscode.commands.executeCommand('experimentHealth.showRunDetails', { path: this.state.path, runId: m.runId });
        return;
    }
  }

  /** The bin a bar stands for, from the data last posted. */
  private binOf(bar: BarRef): { bin: ChartBin; count: number; ids: string[]; config?: string } | undefined {
    const d = this.data;
    if (!d) return undefined;
    if (bar.chart === 'state') {
      const s = d.states.find((x) => x.state === bar.state);
      return s ? { bin: { lo: 0, hi: 0, label: s.state, total: s.count, byState: { [s.state]: s.count }, ids: { [s.state]: s.ids } }, count: s.count, ids: s.ids } : undefined;
    }
    const group = bar.group !== undefined ? d.groups.find((g) => g.key === bar.group) : undefined;
    if (bar.group !== undefined && !group) return undefined;
    const h = group ? group.steps : d[bar.chart];
    const bin = h.bins[bar.bin];
    if (!bin) return undefined;
    const ids = bar.state ? bin.ids[bar.state] ?? [] : Object.values(bin.ids).flat();
    const count = bar.state ? bin.byState[bar.state] ?? 0 : bin.total;
    return { bin, count, ids, config: group?.key };
  }

  /** Selects a bar's runs in the explorer (a click in the webview, or a test). */
  async select(bar: BarRef): Promise<void> {
    const b = this.binOf(bar);
    if (!b || !this.data) return;
    let runIds = b.ids;
    if (runIds.length < b.count) {
      // the bin's id list was capped: ask the server for all of them
      const all = await this.host.connection.request(ChartRunIdsRequest, {
        path: this.state.path, experimentId: this.state.experimentId,
        selector: { chart: bar.chart, lo: b.bin.lo, hi: b.bin.hi, ...(bar.state ? { state: bar.state } : {}), ...(b.config !== undefined ? { config: b.config } : {}) },
      });
      runIds = all.ids;
    }
    const target = { path: this.state.path, experimentId: this.state.experimentId, runIds };
    const commands = await vscode.commands.getCommands(true);
    let revealed = false;
    const what = `${runIds.length} run${runIds.length === 1 ? '' : 's'} (${bar.state ? `${bar.state}, ` : ''}${b.bin.label})`;
    if (commands.includes(REVEAL_RUNS_COMMAND)) {
      await vscode.commands.executeCommand(REVEAL_RUNS_COMMAND, target);
      revealed = true;
      this.post({ type: 'selected', message: `Showing ${what} in the explorer; the first is selected.` });
    } else {
      log.warn(`charts: ${REVEAL_RUNS_COMMAND} is not available; ${what} not selected in the explorer (ids: ${runIds.slice(0, 20).join(', ')}${runIds.length > 20 ? ', …' : ''})`);
      this.post({ type: 'selected', message: `${what}: selecting runs in the explorer is not available in this version.` });
    }
    this.host.selected({ ...target, total: b.count, revealed });
  }

  reveal(): void { this.panel.reveal(); }
}
