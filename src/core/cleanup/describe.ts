// How a plan names its runs, the same in the CLI and the confirmation dialog: the user confirms
// these runs, not only row counts.
import { dashed } from '../ids';
import type { CleanupPlan } from './types';

/** "runs (12): a, b, c, … and 2 more", or undefined when the plan touches no run. */
export function planRunsLine(plan: Pick<CleanupPlan, 'runIds'>, max = 10): string | undefined {
  const n = plan.runIds.length;
  if (!n) return undefined;
  const shown = plan.runIds.slice(0, max).map(dashed).join(', ');
  return `runs (${n.toLocaleString('en-US')}): ${shown}${n > max ? `, … and ${(n - max).toLocaleString('en-US')} more` : ''}`;
}
