// Tree data from a session's last result: experiments, pages of runs, groups. Served from memory,
// so expanding an experiment with 100,000 runs costs one sort, not a query.
import type { DoctorResult } from '../core/doctor/doctor';
import { dashed } from '../core/ids';
import type { Run, RunState } from '../core/model';
import { countStates } from '../core/doctor/states';
import type { GroupsParams, RunGroup, RunsPage, RunsParams } from '../shared/protocol';

const STATE_ORDER: RunState[] = ['stale', 'incomplete', 'failed', 'running', 'degraded', 'pending', 'completed'];

const newestFirst = (a: Run, b: Run) => (b.startedAt ?? b.lastActivityAt ?? '').localeCompare(a.startedAt ?? a.lastActivityAt ?? '');

/** Without hidden experiments and runs (what every view shows unless asked for them). */
export function withoutHidden(result: DoctorResult): DoctorResult {
  if (!result.runs.some((r) => r.hidden) && !result.experiments.some((e) => e.hidden)) return result;
  return { ...result, experiments: result.experiments.filter((e) => !e.hidden), runs: result.runs.filter((r) => !r.hidden) };
}

/**
 * Each nested run's parent among `runs` (MLflow's parent run tag). A parent that is not among them
 * (purged, or hidden) or a loop of parents leaves the run at the top level, so no run is unreachable.
 */
export function nestingParents(runs: readonly Run[]): Map<string, string> {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const out = new Map<string, string>();
  for (const r of runs) {
    if (!r.parentRunId || r.parentRunId === r.id || !byId.has(r.parentRunId)) continue;
    const seen = new Set([r.id]);
    let up: Run | undefined = byId.get(r.parentRunId);
    while (up && !seen.has(up.id)) { seen.add(up.id); up = up.parentRunId ? byId.get(up.parentRunId) : undefined; }
    if (!up) out.set(r.id, r.parentRunId); // the chain ends at a top-level run: no loop
  }
  return out;
}

export function runsPage(result: DoctorResult, p: RunsParams): RunsPage {
  let runs = result.runs;
  if (p.experimentId !== undefined) runs = runs.filter((r) => r.experimentId === p.experimentId);
  // Nested runs sit under their parent, unless the list is flat (recent runs, a filter, a group).
  const flat = p.experimentId === undefined || !!p.states?.length || p.config !== undefined;
  let childCounts: Map<string, number> | undefined;
  if (!flat || p.parentRunId !== undefined) {
    const parents = nestingParents(runs);
    if (parents.size) {
      childCounts = new Map();
      for (const parent of parents.values()) childCounts.set(parent, (childCounts.get(parent) ?? 0) + 1);
    }
    runs = p.parentRunId !== undefined ? runs.filter((r) => parents.get(r.id) === p.parentRunId) : runs.filter((r) => !parents.has(r.id));
  }
  if (p.states?.length) runs = runs.filter((r) => p.states!.includes(r.state));
  if (p.config !== undefined) runs = runs.filter((r) => (r.config ?? '') === p.config);
  const sort = p.experimentId === undefined ? 'started' : p.sort ?? 'started';
  const sorted = [...runs];
  if (sort === 'state') sorted.sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || newestFirst(a, b));
  else if (sort === 'steps') sorted.sort((a, b) => (a.stepsDone ?? 0) - (b.stepsDone ?? 0) || newestFirst(a, b));
  else sorted.sort(newestFirst);
  const offset = Math.max(0, Math.floor(p.offset || 0));
  const limit = Math.min(5000, Math.max(1, Math.floor(p.limit || 200)));
  const page = sorted.slice(offset, offset + limit);
  const out: RunsPage = { runs: page, total: sorted.length, shortIds: Object.fromEntries(page.map((r) => [r.id, result.shortIds[r.id] ?? dashed(r.id)])) };
  const counts = page.filter((r) => childCounts?.has(r.id)).map((r) => [r.id, childCounts!.get(r.id)!] as const);
  if (counts.length) out.childCounts = Object.fromEntries(counts);
  return out;
}

export function runGroups(result: DoctorResult, p: GroupsParams): RunGroup[] {
  let runs = result.runs.filter((r) => r.experimentId === p.experimentId);
  if (p.states?.length) runs = runs.filter((r) => p.states!.includes(r.state));
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = p.by === 'state' ? r.state : r.config ?? '';
    const list = groups.get(key);
    if (list) list.push(r); else groups.set(key, [r]);
  }
  const out = [...groups].map(([key, rs]) => ({ key, label: key || '(none)', count: rs.length, runCounts: countStates(rs) }));
  return p.by === 'state'
    ? out.sort((a, b) => STATE_ORDER.indexOf(a.key as RunState) - STATE_ORDER.indexOf(b.key as RunState))
    : out.sort((a, b) => a.label.localeCompare(b.label));
}
