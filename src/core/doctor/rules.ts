// Findings from derived states. Every message is one sentence a user can act on; details carry
// the numbers for JSON consumers and the report.
import type { Finding } from '../model';
import type { ChildTableState } from './collect';
import type { DerivedExperiment, DerivedRun } from './states';
import { ago } from './time';

export function runFindings(run: DerivedRun, children: ChildTableState[], now: number, shown: string, unreadActivity: string[] = []): Finding[] {
  const out: Finding[] = [];
  const base = { experimentId: run.experimentId, runId: run.id };
  const steps = run.stepsExpected !== undefined && run.stepsDone !== undefined ? `${run.stepsDone} of ${run.stepsExpected} steps` : undefined;
  switch (run.state) {
    case 'stale':
      // Activity this file cannot show (a renamed column) makes "silent" a guess: said, and not a warning.
      out.push({ ...base, code: 'run/stale', severity: unreadActivity.length ? 'information' : 'warning',
        message: `Run ${shown} is marked running but ${run.activityMs === undefined ? 'shows no activity at all' : `has been silent since ${ago(run.activityMs, now)}`} (stale after ${run.thresholdMinutes} min).`
          + (unreadActivity.length ? ` It may still be alive: its activity in ${unreadActivity.join(', ')} cannot be read from this file.` : ''),
        details: { lastActivityAt: run.lastActivityAt, thresholdMinutes: run.thresholdMinutes, status: run.rawStatus } });
      break;
    case 'incomplete':
      out.push({ ...base, code: 'run/incomplete', severity: 'error',
        message: steps && run.stepsDone === run.stepsExpected && run.error
          ? `Run ${shown} has all ${run.stepsExpected} steps, but ${run.error} (stop reason ${run.stopReason ?? 'unknown'}).`
          : steps
          ? `Run ${shown} stopped at ${steps} (stop reason ${run.stopReason ?? 'unknown'}).`
          : sentence(`Run ${shown} ended incomplete${run.stopReason ? `: ${run.stopReason}` : ''}`),
        details: { stepsDone: run.stepsDone, stepsExpected: run.stepsExpected, stopReason: run.stopReason ?? 'unknown', status: run.rawStatus } });
      break;
    case 'failed':
      out.push({ ...base, code: 'run/failed', severity: 'information',
        message: sentence(`Run ${shown} failed${run.error ? `: ${firstLine(run.error)}` : ''}`),
        details: { error: run.error, status: run.rawStatus } });
      break;
  }
  for (const c of children) {
    if (!c.spec.steps?.sequence) continue;
    const agg = c.byKey.get(run.id);
    if (!agg || agg.maxSeq === undefined || agg.distinctSeq === undefined) continue;
    const missing = agg.maxSeq + 1 - agg.distinctSeq; // numbers 0..max not present
    if (missing > 0) {
      out.push({ ...base, code: 'run/sequence-gap', severity: 'warning', table: c.spec.table, count: missing,
        message: `Run ${shown} is missing ${missing} step number${missing === 1 ? '' : 's'} below its last step ${agg.maxSeq}.`,
        details: { missing, lastStep: agg.maxSeq, present: agg.distinctSeq } });
    }
    const extra = (agg.seqRows ?? 0) - agg.distinctSeq;
    if (extra > 0) {
      out.push({ ...base, code: 'run/duplicate-steps', severity: 'warning', table: c.spec.table, count: extra,
        message: `Run ${shown} has ${extra} extra ${c.spec.table} row${extra === 1 ? '' : 's'} repeating a step number (${agg.distinctSeq} distinct steps in ${agg.seqRows} rows).`,
        details: { extra, rows: agg.seqRows, distinct: agg.distinctSeq } });
    }
  }
  return out;
}

export function experimentFindings(e: DerivedExperiment, now: number): Finding[] {
  if (e.state !== 'stale' || !e.hasLifecycle) return [];
  return [{
    code: 'experiment/stale', severity: 'warning', experimentId: e.id,
    message: `Experiment ${e.label} started but never completed and has been silent since ${e.activityMs === undefined ? 'it started' : ago(e.activityMs, now)} (stale after ${e.thresholdMinutes} min).`,
    details: { startedAt: e.startedAt, lastActivityAt: e.lastActivityAt, thresholdMinutes: e.thresholdMinutes },
  }];
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/).find((l) => l.trim()) ?? s;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line.trim();
}

/** Ends a message with one full stop, whatever the quoted text ended with. */
function sentence(s: string): string {
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}
