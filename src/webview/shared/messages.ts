// The typed messages between the extension host's panels (src/client/panels) and their webviews
// (src/webview/*.ts). Both sides import this file; nothing else crosses postMessage.
import type { CleanupAction } from '../../core/cleanup/types';
import type { ChartData, ChartKind } from '../../core/charts';
import type { RunDetailsResult } from '../../shared/protocol';

/** What a webview keeps across reloads (vscode.setState), and what the serializer restores. */
export interface ChartsState { kind: 'charts'; path: string; experimentId: string }
export interface RunDetailsState { kind: 'runDetails'; path: string; runId: string }

export type ToChartsWebview =
  | { type: 'loading'; message: string }
  | { type: 'data'; data: ChartData; state: ChartsState }
  | { type: 'error'; message: string }
  | { type: 'selected'; message: string };

/** A bar (or table row) the user picked: which chart, which bin, which state segment, which group. */
export interface BarRef { chart: ChartKind; bin: number; state?: ChartData['states'][number]['state']; group?: string }

export type FromChartsWebview =
  | { type: 'ready' }
  | { type: 'select'; bar: BarRef }
  | { type: 'refresh' }
  | { type: 'openRunDetails'; runId: string }
  /** The webview drew the charts: how long it took, and what it drew (for tests and the log). */
  | { type: 'rendered'; ms: number; charts: number; bars: number; tables: number; theme: string; domMs?: number; firstChartMs?: number; chartsMs?: number };

export interface RunDetailsView extends RunDetailsResult {
  path: string;
  /** Cleanups that apply to this run, in display order. */
  actions: { action: CleanupAction; label: string; title: string }[];
}

export type ToRunDetailsWebview =
  | { type: 'loading'; message: string }
  | { type: 'data'; data: RunDetailsView; state: RunDetailsState }
  | { type: 'error'; message: string; state?: RunDetailsState };

export type FromRunDetailsWebview =
  | { type: 'ready' }
  | { type: 'action'; action: CleanupAction }
  | { type: 'command'; command: 'reveal' | 'charts' | 'report' | 'copyId' | 'refresh' }
  | { type: 'rendered'; ms: number; sections: string[]; theme: string };
