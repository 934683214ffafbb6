// How a cleanup describes itself, the same in the CLI, the dialogs and the reports: the runs the
// user confirms, and what each table lost or had changed.
import { shownId } from '../ids';
import type { CleanupPlan, TableChange } from './types';

const count = (k: number): string => k.toLocaleString('en-US');

/** "12 deleted, 3 changed" (a cleanup) or, with the undo's words, "12 restored, 3 reverted". */
export function changeText(c: TableChange, words: { deleted: string; updated: string } = { deleted: 'deleted', updated: 'changed' }): string {
  return [c.deleted && `${count(c.deleted)} ${words.deleted}`, c.updated && `${count(c.updated)} ${words.updated}`].filter(Boolean).join(', ');
}

export const UNDO_WORDS = { deleted: 'restored', updated: 'reverted' } as const;

/** "runs (12): a, b, c, … and 2 more", or undefined when the plan touches no run. */
export function planRunsLine(plan: Pick<CleanupPlan, 'runIds' | 'idStyle'>, max = 10): string | undefined {
  const n = plan.runIds.length;
  if (!n) return undefined;
  const shown = plan.runIds.slice(0, max).map((id) => shownId(id, plan.idStyle)).join(', ');
  return `runs (${count(n)}): ${shown}${n > max ? `, … and ${count(n - max)} more` : ''}`;
}
