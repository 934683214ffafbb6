// The cleanup's conversations with the user: a modal confirmation whose detail lists what will
// change, a typed confirmation for large cleanups, and the refusal with "Open as SQL…".
import * as vscode from 'vscode';
import { changeText, planRunsLine } from '../../core/cleanup/describe';
import { shownId } from '../../core/ids';
import type { CleanupPlan, PreflightResult } from '../../shared/protocol';

export const ARCHIVE_AND_APPLY = { delete: 'Archive and Delete', update: 'Archive and Apply' } as const;

export type Confirmation = { archive: boolean } | undefined;

const isUpdate = (plan: CleanupPlan) => plan.action === 'mark-stale' || plan.softDelete === true;

/** The detail of the modal: one line per table, then what is left alone, then the archive. */
export function planDetail(plan: CleanupPlan): string {
  const lines = plan.changes.filter((c) => c.deleted || c.updated).map((c) => `${c.table}: ${changeText(c)}`);
  const runs = planRunsLine(plan, 8);
  if (runs) lines.push('', runs);
  if (plan.excluded.length) {
    lines.push('', `Left alone (${plan.excluded.length}):`, ...plan.excluded.slice(0, 5).map((x) => `  ${shownId(x.runId, plan.idStyle)}: ${x.reason}`));
    if (plan.excluded.length > 5) lines.push(`  … and ${plan.excluded.length - 5} more`);
  }
  for (const w of plan.warnings ?? []) lines.push('', w);
  lines.push('', `The changed rows are archived first (about ${formatBytes(plan.archiveBytes)}) so "Undo Last Cleanup" can restore them.`);
  return lines.join('\n');
}

export async function confirmPlan(plan: CleanupPlan, typedAboveRuns: number, typedAboveRows: number): Promise<Confirmation> {
  const kind = isUpdate(plan) ? 'update' : 'delete';
  const archive: vscode.MessageItem = { title: ARCHIVE_AND_APPLY[kind] };
  const cancel: vscode.MessageItem = { title: 'Cancel', isCloseAffordance: true };
  const choice = await vscode.window.showWarningMessage(plan.title, { modal: true, detail: planDetail(plan) }, archive, cancel);
  if (!choice || choice === cancel) return undefined;
  const runs = plan.runIds.length;
  if (runs > typedAboveRuns || plan.totalRows > typedAboveRows) {
    const expected = runs > 0 ? String(runs) : String(plan.totalRows);
    const typed = await vscode.window.showInputBox({
      title: plan.title,
      prompt: runs > 0 ? `This changes ${runs} runs. Type ${expected} to confirm.` : `This changes ${plan.totalRows} rows. Type ${expected} to confirm.`,
      placeHolder: expected,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' || v.trim() === expected ? undefined : `Type ${expected} exactly, or press Escape to cancel.`),
    });
    if (typed?.trim() !== expected) return undefined;
  }
  return { archive: true }; // always: the archive is what Undo restores (no way around it is offered)
}

/** When another process holds the database: say who, and offer the plan as SQL to run later. */
export async function refuseBusy(plan: CleanupPlan, preflight: PreflightResult): Promise<void> {
  const holders = preflight.holders.map((h) => `pid ${h.pid}: ${h.command} (${h.file})`).join('\n');
  const openSql: vscode.MessageItem = { title: 'Open as SQL…' };
  const choice = await vscode.window.showWarningMessage(
    `Not cleaning up: ${preflight.reason ?? 'another process is using the database.'}`,
    { modal: true, detail: `${holders}${holders ? '\n\n' : ''}Stop that process and try again, or run the plan yourself with a SQLite tool that takes locks.` },
    openSql);
  if (choice === openSql) await openPlanAsSql(plan);
}

export async function openPlanAsSql(plan: CleanupPlan): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: plan.sql });
  await vscode.window.showTextDocument(doc, { preview: false });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
