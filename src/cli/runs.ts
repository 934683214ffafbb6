import { matchId, shownId } from '../core/ids';
import { RUN_STATES, type Run, type RunState } from '../core/model';
import type { DoctorResult } from '../core/doctor/doctor';
import { bold, dim, duration, localTime, stateText, table } from './format';
import { UsageError } from './options';

export interface RunsQuery { state?: string; experiment?: string; tail?: number }

export function selectRuns(r: DoctorResult, q: RunsQuery): Run[] {
  let runs = r.runs;
  if (q.state) {
    const states = q.state.split(',').map((s) => s.trim()) as RunState[];
    const bad = states.filter((s) => !RUN_STATES.includes(s));
    if (bad.length) throw new UsageError(`--state ${bad.join(',')} is not one of ${RUN_STATES.join(', ')}.`);
    runs = runs.filter((x) => states.includes(x.state));
  }
  if (q.experiment) {
    const id = experimentNamed(r.experiments, q.experiment);
    runs = runs.filter((x) => x.experimentId === id);
  }
  // Newest first, like `egregora runs tail`.
  runs = [...runs].sort((a, b) => (b.startedAt ?? b.lastActivityAt ?? '').localeCompare(a.startedAt ?? a.lastActivityAt ?? ''));
  return q.tail !== undefined ? runs.slice(0, q.tail) : runs;
}

export function runsText(r: DoctorResult, runs: Run[]): string {
  if (!runs.length) return 'No runs match.';
  const short = (id: string) => r.shortIds[id] ?? shownId(id, r.idStyle);
  return table(['run', 'state', 'label', 'steps', 'started', 'duration', 'experiment'], runs.map((x) => [
    short(x.id), stateText(x.state), x.label ?? x.config ?? '',
    x.stepsExpected !== undefined ? `${x.stepsDone ?? 0}/${x.stepsExpected}` : x.stepsDone !== undefined ? String(x.stepsDone) : '',
    localTime(x.startedAt), duration(x.startedAt, x.finishedAt ?? x.lastActivityAt), short(x.experimentId),
  ]));
}

export function findRun(r: DoctorResult, wanted: string): Run {
  const m = matchId(r.runs.map((x) => x.id), wanted);
  if (!m.id) {
    throw new UsageError(m.candidates.length
      ? `${wanted} matches ${m.candidates.length} runs (${m.candidates.slice(0, 5).map((id) => shownId(id, r.idStyle)).join(', ')}…); give more of the id.`
      : `No run matches ${wanted}.`);
  }
  return r.runs.find((x) => x.id === m.id)!;
}

export function showText(r: DoctorResult, run: Run, columns: Record<string, unknown>, childCounts: Record<string, number>): string {
  const lines = [`${bold('run')} ${shownId(run.id, r.idStyle)}  ${stateText(run.state)}`];
  const kv = (k: string, v: unknown) => { if (v !== undefined && v !== null && v !== '') lines.push(`  ${k.padEnd(16)} ${String(v)}`); };
  kv('experiment', shownId(run.experimentId, r.idStyle));
  kv('label', run.label);
  kv('config', run.config);
  kv('steps', run.stepsExpected !== undefined ? `${run.stepsDone ?? 0} of ${run.stepsExpected}` : run.stepsDone);
  kv('started', localTime(run.startedAt));
  kv('last activity', localTime(run.lastActivityAt));
  kv('finished', localTime(run.finishedAt));
  kv('duration', duration(run.startedAt, run.finishedAt ?? run.lastActivityAt));
  kv('status (stored)', run.rawStatus);
  kv('stop reason', run.stopReason);
  const findings = r.findings.filter((f) => f.runId === run.id);
  if (findings.length) { lines.push(bold('findings')); for (const f of findings) lines.push(`  ${f.code}  ${f.message}`); }
  if (Object.keys(childCounts).length) { lines.push(bold('child rows')); for (const [t, n] of Object.entries(childCounts)) kv(t, n); }
  lines.push(bold('columns'));
  for (const [k, v] of Object.entries(columns)) kv(k, v instanceof Uint8Array ? dim(`<${v.length} bytes>`) : v);
  if (run.error) lines.push(bold('error'), ...run.error.split(/\r?\n/).map((l) => `  ${l}`));
  return lines.join('\n');
}

/**
 * `--experiment`: an id as pasted (dashed or not, or a unique prefix), or the name the tables show
 * (an MLflow experiment's or an Optuna study's), when one experiment has it.
 */
export function experimentNamed(experiments: readonly { id: string; label: string }[], wanted: string): string {
  const m = matchId(experiments.map((e) => e.id), wanted);
  if (m.id) return m.id;
  const named = experiments.filter((e) => e.label === wanted);
  if (named.length === 1) return named[0]!.id;
  if (named.length > 1) throw new UsageError(`--experiment ${wanted} names ${named.length} experiments (ids ${named.map((e) => e.id).join(', ')}); give the id.`);
  throw new UsageError(m.candidates.length ? `--experiment ${wanted} matches ${m.candidates.length} experiments; give more of the id.` : `No experiment has the id or name ${wanted}.`);
}
