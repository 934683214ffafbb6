// The cleanup commands (palette, tree menus, quick fixes, code lenses). Every path runs the same
// contract: plan (server, read-only) → confirm → preflight → execute with progress and cancel
// (server: archive, one transaction, verify) → report with Undo.
import * as vscode from 'vscode';
import {
  CLEANUP_COMMANDS, CleanupExecuteRequest, CleanupPlanRequest, CleanupPreflightRequest, ExperimentsRequest, UndoInfoRequest, UndoRequest,
  type CleanupAction, type CleanupPlan, type CleanupReport, type CleanupTarget, type DatabaseSummary,
} from '../../shared/protocol';
import { Disposable } from '../disposable';
import type { ServerConnection } from '../languageClient';
import { log } from '../log';
import { confirmPlan, refuseBusy } from './dialogs';
import { changeText, UNDO_WORDS } from '../../core/cleanup/describe';
import { localDateTime } from '../../core/doctor/time';

/** Anything a command can be invoked with: a target, a tree node carrying one, or nothing. */
type Arg = Partial<CleanupTarget> & { target?: Partial<CleanupTarget>; runId?: string; experimentId?: string; path?: string } | undefined;

/** Merges the clicked item and the multi-selection into one target (runs of one database). */
export function toTarget(arg: Arg, selection?: Arg[]): Partial<CleanupTarget> | undefined {
  const items = [arg, ...(selection ?? [])].filter((x): x is NonNullable<Arg> => !!x).map((x) => ({ ...x, ...(x.target ?? {}) }));
  if (!items.length) return undefined;
  const path = items[0].path;
  const same = items.filter((x) => x.path === path);
  const runIds = [...new Set(same.flatMap((x) => x.runIds ?? (x.runId ? [x.runId] : [])))];
  const experimentIds = [...new Set(same.map((x) => x.experimentId).filter((e) => e !== undefined))];
  const t: Partial<CleanupTarget> = { path };
  if (runIds.length) t.runIds = runIds;
  if (experimentIds.length === 1) t.experimentId = experimentIds[0];
  const tables = same.flatMap((x) => x.tables ?? []);
  if (tables.length) t.tables = tables;
  return t;
}

class CleanupCommands extends Disposable {
  private lastArchive?: { path: string; archive: string };

  constructor(private readonly connection: ServerConnection) {
    super();
    for (const [action, command] of Object.entries(CLEANUP_COMMANDS) as [CleanupAction, string][]) {
      this.register(vscode.commands.registerCommand(command, (arg?: Arg, selection?: Arg[]) => this.run(action, toTarget(arg, selection))));
    }
    this.register(vscode.commands.registerCommand('experimentHealth.undoLastCleanup', (arg?: Arg) => this.undo(arg?.path)));
  }

  /** The whole contract for one action. Returns the report, or undefined when nothing happened. */
  async run(action: CleanupAction, partial?: Partial<CleanupTarget>): Promise<CleanupReport | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Cleanups change databases, so they need a trusted workspace. Trust this workspace to continue.');
      return undefined;
    }
    const target = await this.completeTarget(action, partial);
    if (!target) return undefined;
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Experiment Health: planning cleanup' },
      () => this.connection.request(CleanupPlanRequest, { action, target }));
    log.info(`plan ${action} on ${target.path}: ${plan.title}; ${plan.changes.map((c) => `${c.table} -${c.deleted} ~${c.updated}`).join(', ')}`);
    if (plan.refusal) { void vscode.window.showWarningMessage(plan.refusal); return undefined; }
    if (plan.totalRows === 0) { void vscode.window.showInformationMessage(`Nothing to clean up: ${plan.title.replace(/…$/, '')} matches no rows.`); return undefined; }
    const cfg = vscode.workspace.getConfiguration('experimentHealth', vscode.Uri.file(target.path));
    const confirmed = await confirmPlan(plan, cfg.get('confirmTypedAboveRuns', 50), cfg.get('confirmTypedAboveRows', 100_000));
    if (!confirmed) { log.info('cleanup cancelled by the user'); return undefined; }
    const preflight = await this.connection.request(CleanupPreflightRequest, { path: target.path });
    if (!preflight.ok) { log.warn(`cleanup refused: ${preflight.reason}`); await refuseBusy(plan, preflight); return undefined; }
    return this.execute(plan, confirmed.archive);
  }

  private async execute(plan: CleanupPlan, archive: boolean): Promise<CleanupReport | undefined> {
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Experiment Health: ${plan.title.replace(/…$/, '')}`, cancellable: true },
        (progress, token) => {
          progress.report({ message: archive ? 'archiving, then applying in one transaction…' : 'applying in one transaction…' });
          return this.connection.request(CleanupExecuteRequest, { plan, archive }, token);
        });
      log.info(`cleanup done in ${report.elapsedMs} ms: ${report.message}${report.archive ? ` (archive ${report.archive.file})` : ''}`);
      if (report.archive) {
        this.lastArchive = { path: plan.database, archive: report.archive.file };
        void vscode.commands.executeCommand('setContext', 'experimentHealth.canUndo', true);
      }
      const actions = report.archive ? ['Undo', 'Show Log'] : ['Show Log'];
      void vscode.window.showInformationMessage(report.message, ...actions).then((choice) => {
        if (choice === 'Undo') void this.undo(plan.database);
        else if (choice === 'Show Log') log.show();
      });
      return report;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`cleanup failed: ${message}`);
      void vscode.window.showErrorMessage(`The cleanup did not happen: ${message}`, 'Show Log').then((c) => { if (c) log.show(); });
      return undefined;
    }
  }

  /** Palette invocations: ask for the database and, where it matters, the experiment. */
  private async completeTarget(action: CleanupAction, partial?: Partial<CleanupTarget>): Promise<CleanupTarget | undefined> {
    let path = partial?.path;
    if (!path) {
      const picked = await vscode.commands.executeCommand<DatabaseSummary[] | undefined>('experimentHealth.pickDatabase');
      path = picked?.[0]?.path;
      if (!path) return undefined;
    }
    const target: CleanupTarget = { ...partial, path };
    const needsExperiment = action === 'delete-experiment' || ((action === 'delete-incomplete' || action === 'mark-stale' || action === 'reset-stale') && !partial);
    if (needsExperiment && target.experimentId === undefined && !target.runIds) {
      const experiments = await this.connection.request(ExperimentsRequest, { path });
      const relevant = action === 'delete-experiment' ? experiments
        : experiments.filter((e) => (action === 'delete-incomplete' ? e.runCounts.incomplete : e.runCounts.stale));
      const items: (vscode.QuickPickItem & { id?: string })[] = relevant.map((e) => ({
        label: e.label, id: e.id,
        description: `${e.runTotal} runs${e.runCounts.incomplete ? ` · ${e.runCounts.incomplete} incomplete` : ''}${e.runCounts.stale ? ` · ${e.runCounts.stale} stale` : ''}`,
      }));
      if (action !== 'delete-experiment') items.unshift({ label: 'All experiments', description: 'every run this applies to in the database' });
      const choice = await vscode.window.showQuickPick(items, { placeHolder: 'Which experiment?' });
      if (!choice) return undefined;
      if (choice.id !== undefined) target.experimentId = choice.id;
    }
    return target;
  }

  private async undo(path?: string): Promise<void> {
    let db = path ?? this.lastArchive?.path;
    if (!db) db = (await vscode.commands.executeCommand<DatabaseSummary[] | undefined>('experimentHealth.pickDatabase'))?.[0]?.path;
    if (!db) return;
    const info = await this.connection.request(UndoInfoRequest, { path: db });
    if (!info) { void vscode.window.showInformationMessage('There is no cleanup to undo for this database.'); return; }
    if (info.refusal) { void vscode.window.showWarningMessage(`Cannot undo: ${info.refusal}`); return; }
    const restore: vscode.MessageItem = { title: 'Restore' };
    const detail = info.changes.filter((c) => c.deleted || c.updated).map((c) => `${c.table}: ${changeText(c, UNDO_WORDS)}`).join('\n');
    const choice = await vscode.window.showWarningMessage(`Undo "${info.title}" from ${localDateTime(new Date(info.time).toISOString())}?`, { modal: true, detail }, restore);
    if (choice !== restore) return;
    const preflight = await this.connection.request(CleanupPreflightRequest, { path: db });
    if (!preflight.ok) {
      void vscode.window.showWarningMessage(`Not undoing: ${preflight.reason ?? 'another process is using the database.'}`, { modal: true, detail: preflight.holders.map((h) => `pid ${h.pid}: ${h.command}`).join('\n') });
      return;
    }
    try {
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Experiment Health: undoing the last cleanup', cancellable: true },
        (_p, token) => this.connection.request(UndoRequest, { path: db!, archive: info.archive }, token));
      log.info(`undo done: ${report.message}`);
      this.lastArchive = undefined;
      void vscode.commands.executeCommand('setContext', 'experimentHealth.canUndo', false);
      void vscode.window.showInformationMessage(report.message);
    } catch (e) {
      void vscode.window.showErrorMessage(`Undo did not happen: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export function registerCleanup(_context: vscode.ExtensionContext, connection: ServerConnection): vscode.Disposable {
  return new CleanupCommands(connection);
}
