// Unified states from raw rows. Liveness is the newest evidence of work (heartbeat, children's
// timestamps, and the start time only where it is a real start, not a queue time).
import type { Experiment, Run, RunCounts, RunState } from '../model';
import type { ProfileSpec } from '../profiles/spec';
import type { ChildTableState, RawExperiment, RawRun } from './collect';
import { staleThresholdMinutes, type DoctorOptions } from './options';
import { toIso } from './time';

export interface DerivedRun extends Run {
  /** Epoch ms of the newest activity, for rules and sorting. */
  activityMs?: number;
  startedMs?: number;
  thresholdMinutes: number;
}

/** Tolerated clock difference before a future timestamp is called out. */
const FUTURE_SLACK_MS = 5 * 60_000;

export function lastActivity(run: RawRun, profile: ProfileSpec, children: ChildTableState[]): number | undefined {
  let last: number | undefined;
  const see = (t?: number) => { if (t !== undefined && (last === undefined || t > last)) last = t; };
  see(run.heartbeat);
  see(run.finishedAt);
  see(run.descendantActivity);
  if (profile.runs.startIsActivity !== false) see(run.startedAt);
  for (const c of children) see(c.byKey.get(run.keys.get(c.spec.references ?? profile.runs.id) ?? run.id)?.lastActivity);
  // With no other evidence at all, a queue time is still better than nothing.
  if (last === undefined) see(run.startedAt);
  return last;
}

export function stepsDone(run: RawRun, profile: ProfileSpec, children: ChildTableState[]): number | undefined {
  if (run.stepsDone !== undefined) return run.stepsDone;
  const steps = children.find((c) => c.spec.steps);
  if (!steps) return undefined;
  const agg = steps.byKey.get(run.keys.get(steps.spec.references ?? profile.runs.id) ?? run.id);
  // Distinct step numbers: a step logged twice (possible where no unique key forbids it) is one step.
  return agg ? (agg.distinctSeq ?? agg.count) : 0;
}

/** Generic derivation for profiles with a status column. */
export function deriveStatusRun(
  run: RawRun, profile: ProfileSpec, children: ChildTableState[], options: DoctorOptions, notices: Set<string>,
): DerivedRun {
  const status = profile.runs.status;
  let state: RunState = 'completed';
  if (status) {
    state = run.rawStatus === undefined ? (status.otherwise ?? 'failed') : (status.map[run.rawStatus] ?? status.otherwise ?? 'failed');
  }
  const activityMs = lastActivity(run, profile, children);
  const threshold = staleThresholdMinutes(options, profile.name, run.model ?? run.config);
  if (state === 'running') {
    if (activityMs === undefined || options.now - activityMs > threshold * 60_000) state = 'stale';
  }
  if (activityMs !== undefined && activityMs - options.now > FUTURE_SLACK_MS) {
    notices.add('Some timestamps lie in the future: if this database was written in another time zone, set experimentHealth.naiveTimestamps.');
  }
  const done = stepsDone(run, profile, children);
  if (state === 'completed' && profile.runs.shortIsIncomplete && done !== undefined && run.stepsExpected !== undefined && done < run.stepsExpected) {
    state = 'incomplete';
  }
  return toRun(run, state, activityMs, threshold, done);
}

export function toRun(run: RawRun, state: RunState, activityMs: number | undefined, thresholdMinutes: number, done?: number): DerivedRun {
  const out: DerivedRun = {
    id: run.id, experimentId: run.experimentId ?? '', state, thresholdMinutes, activityMs, startedMs: run.startedAt,
  };
  if (run.label !== undefined) out.label = run.label;
  if (run.config !== undefined) out.config = run.config;
  if (done !== undefined) out.stepsDone = done;
  if (run.stepsExpected !== undefined) out.stepsExpected = run.stepsExpected;
  if (run.startedAt !== undefined) out.startedAt = toIso(run.startedAt);
  if (activityMs !== undefined) out.lastActivityAt = toIso(activityMs);
  if (run.finishedAt !== undefined) out.finishedAt = toIso(run.finishedAt);
  if (run.rawStatus !== undefined) out.rawStatus = run.rawStatus;
  if (run.stopReason !== undefined) out.stopReason = run.stopReason;
  if (run.error !== undefined) out.error = run.error;
  if (run.parentId !== undefined) out.parentRunId = run.parentId;
  if (run.hidden) out.hidden = true;
  return out;
}

export function countStates(runs: Iterable<{ state: RunState }>): RunCounts {
  const counts: RunCounts = {};
  for (const r of runs) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}

export interface DerivedExperiment extends Experiment { activityMs?: number; thresholdMinutes: number; hasLifecycle: boolean }

/**
 * An experiment's state: from its own start/finish when the system records them, otherwise from
 * its runs (live work first, then the most telling ending).
 */
export function deriveExperiment(
  raw: RawExperiment | undefined, id: string, runs: DerivedRun[], profile: ProfileSpec, options: DoctorOptions, label: string,
): DerivedExperiment {
  const counts = countStates(runs);
  let activityMs = raw?.startedAt;
  for (const r of runs) if (r.activityMs !== undefined && (activityMs === undefined || r.activityMs > activityMs)) activityMs = r.activityMs;
  const threshold = staleThresholdMinutes(options, profile.name, raw?.config);
  const hasLifecycle = !!profile.experiments?.finishedAt && !!raw;
  let state: RunState;
  if (hasLifecycle && raw!.finishedAt !== undefined) state = 'completed';
  else if (counts.running) state = 'running';
  else if (hasLifecycle && raw!.startedAt === undefined && !runs.some((r) => r.state !== 'pending')) state = 'pending';
  else if (hasLifecycle) state = activityMs !== undefined && options.now - activityMs <= threshold * 60_000 ? 'running' : 'stale';
  else if (counts.stale) state = 'stale';
  else if (runs.length === 0 || runs.every((r) => r.state === 'pending')) state = 'pending';
  else state = (['incomplete', 'failed', 'degraded', 'pending'] as const).find((s) => counts[s]) ?? 'completed';
  const out: DerivedExperiment = {
    id, label, state, runCounts: counts, runTotal: runs.length, thresholdMinutes: threshold, activityMs, hasLifecycle,
  };
  if (raw?.config !== undefined) out.config = raw.config;
  if (raw?.startedAt !== undefined) out.startedAt = toIso(raw.startedAt);
  if (raw?.finishedAt !== undefined) out.finishedAt = toIso(raw.finishedAt);
  if (activityMs !== undefined) out.lastActivityAt = toIso(activityMs);
  if (!raw && profile.experiments) out.missingRow = true;
  return out;
}
