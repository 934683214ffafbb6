// What the panel commands are invoked with: `{ path, experimentId }` (the report's code lenses),
// `{ path, runId }`, `{ target: {...} }`, a tree node exposing `target`, or nothing (then ask).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DatabasesRequest, ExperimentsRequest, RunsRequest } from '../../shared/protocol';
import type { ServerConnection } from '../languageClient';

export interface PanelTarget { path?: string; experimentId?: string; runId?: string }

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads path / experimentId / runId from any of the accepted argument shapes. */
export function targetOf(arg: unknown): PanelTarget {
  if (!arg || typeof arg !== 'object') return {};
  if (arg instanceof vscode.Uri) return { path: arg.fsPath };
  const a = arg as Record<string, unknown>;
  // `target` may be a getter on a tree node (not an own property): read it, don't spread the node
  const t = (a.target && typeof a.target === 'object' ? a.target : {}) as Record<string, unknown>;
  const run = (a.run && typeof a.run === 'object' ? a.run : {}) as Record<string, unknown>;
  const runIds = Array.isArray(t.runIds) ? t.runIds : Array.isArray(a.runIds) ? a.runIds : [];
  const out: PanelTarget = {};
  const p = str(t.path) ?? str(a.path);
  const e = str(t.experimentId) ?? str(a.experimentId) ?? str(run.experimentId);
  const r = str(t.runId) ?? str(a.runId) ?? str(run.id) ?? str(runIds[0]);
  if (p) out.path = p;
  if (e) out.experimentId = e;
  if (r) out.runId = r;
  return out;
}

async function pickDatabase(connection: ServerConnection, title: string): Promise<string | undefined> {
  const dbs = (await connection.request(DatabasesRequest)).filter((d) => d.status === 'ok');
  if (!dbs.length) { void vscode.window.showInformationMessage('No experiment database is open. Open one from the Experiment Health view, or run "Experiment Health: Open Database…".'); return undefined; }
  if (dbs.length === 1) return dbs[0]!.path;
  const picked = await vscode.window.showQuickPick(dbs.map((d) => ({
    label: path.basename(d.path), description: d.profile, detail: vscode.workspace.asRelativePath(d.path), value: d.path,
  })), { title, placeHolder: 'Database' });
  return picked?.value;
}

async function pickExperiment(connection: ServerConnection, dbPath: string, title: string): Promise<string | undefined> {
  const exps = await connection.request(ExperimentsRequest, { path: dbPath });
  if (!exps.length) { void vscode.window.showInformationMessage(`${path.basename(dbPath)} has no experiments.`); return undefined; }
  if (exps.length === 1) return exps[0]!.id;
  const picked = await vscode.window.showQuickPick(exps.map((e) => ({
    label: e.label, description: `${e.runTotal} runs · ${e.state}`,
    detail: Object.entries(e.runCounts).map(([s, n]) => `${n} ${s}`).join(', '), value: e.id,
  })), { title, placeHolder: 'Experiment', matchOnDescription: true });
  return picked?.value;
}

/** Completes a charts target, asking for what is missing. */
export async function completeChartsTarget(connection: ServerConnection, arg: unknown): Promise<Required<Pick<PanelTarget, 'path' | 'experimentId'>> | undefined> {
  const t = targetOf(arg);
  const title = 'Experiment Charts';
  const p = t.path ?? await pickDatabase(connection, title);
  if (!p) return undefined;
  const e = t.experimentId ?? await pickExperiment(connection, p, title);
  return e === undefined ? undefined : { path: p, experimentId: e };
}

/** Completes a run-details target, asking for what is missing (runs with problems first). */
export async function completeRunTarget(connection: ServerConnection, arg: unknown): Promise<Required<Pick<PanelTarget, 'path' | 'runId'>> | undefined> {
  const t = targetOf(arg);
  const title = 'Run Details';
  const p = t.path ?? await pickDatabase(connection, title);
  if (!p) return undefined;
  if (t.runId) return { path: p, runId: t.runId };
  const e = t.experimentId ?? await pickExperiment(connection, p, title);
  if (e === undefined) return undefined;
  const page = await connection.request(RunsRequest, { path: p, experimentId: e, sort: 'state', offset: 0, limit: 1000 });
  const picked = await vscode.window.showQuickPick(page.runs.map((r) => ({
    label: page.shortIds[r.id] ?? r.id,
    description: [r.state, r.stepsExpected !== undefined ? `${r.stepsDone ?? 0}/${r.stepsExpected}` : undefined, r.config, r.label].filter(Boolean).join(' · '),
    detail: r.error?.split('\n')[0]?.slice(0, 160), value: r.id,
  })), { title, placeHolder: page.total > page.runs.length ? `Run (first ${page.runs.length} of ${page.total})` : 'Run', matchOnDescription: true, matchOnDetail: true });
  return picked ? { path: p, runId: picked.value } : undefined;
}
