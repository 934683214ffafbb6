// Experiment charts in the server: aggregated from the session's last doctor result (in memory,
// no SQL), so the webview receives bins, never 100,000 points.
import type { Connection } from 'vscode-languageserver/node';
import { aggregateCharts, selectRunIds } from '../core/charts';
import { ChartRunIdsRequest, ExperimentChartsRequest } from '../shared/protocol';
import type { DatabaseSession } from './session';

export function registerCharts(connection: Connection, sessionFor: (path: string) => DatabaseSession | undefined): void {
  connection.onRequest(ExperimentChartsRequest, ({ path, experimentId }) => {
    const s = sessionFor(path);
    const r = s?.result;
    if (!s || !r || !r.experiments.some((e) => e.id === experimentId)) return null;
    const data = aggregateCharts({
      path: s.path, now: r.now, profile: r.profile, experiments: r.experiments, runs: r.runs,
      evaluatedAt: s.evaluatedAt ? new Date(s.evaluatedAt).toISOString() : undefined,
    }, experimentId);
    connection.console.log(`charts of ${experimentId}: ${data.total} runs aggregated in ${data.aggregationMs} ms`);
    return data;
  });
  connection.onRequest(ChartRunIdsRequest, ({ path, experimentId, selector, limit }) => {
    const r = sessionFor(path)?.result;
    return r ? selectRunIds(r.runs, experimentId, selector, limit) : { ids: [], total: 0 };
  });
}
