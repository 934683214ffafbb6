// Nested runs (RunsSpec.parent, e.g. MLflow's mlflow.parentRunId tag): a parent is alive while
// any descendant is (a sweep driver often logs nothing itself), and a child whose parent is gone
// (purged) is reported once per experiment table as information.
import type { Finding } from '../model';
import type { ProfileSpec } from '../profiles/spec';
import type { ChildTableState, RawRun } from './collect';
import { lastActivity } from './states';

/** Sets `descendantActivity` on every run that has descendants with any activity. */
export function propagateDescendantActivity(runs: RawRun[], profile: ProfileSpec, children: ChildTableState[]): void {
  if (!profile.runs.parent) return;
  const byId = new Map(runs.map((r) => [r.id, r]));
  for (const r of runs) {
    if (r.parentId === undefined) continue;
    const own = lastActivity({ ...r, descendantActivity: undefined }, profile, children);
    if (own === undefined) continue;
    const seen = new Set<string>([r.id]);
    let p = byId.get(r.parentId);
    while (p && !seen.has(p.id)) { // a cycle in bad data stops here
      seen.add(p.id);
      if (p.descendantActivity === undefined || own > p.descendantActivity) p.descendantActivity = own;
      p = p.parentId === undefined ? undefined : byId.get(p.parentId);
    }
  }
}

/** Runs naming a parent run that does not exist (any more), as one orphan/rows finding. */
export function missingParentFindings(runs: RawRun[], allRuns: RawRun[], profile: ProfileSpec): Finding[] {
  if (!profile.runs.parent) return [];
  const ids = new Set(allRuns.map((r) => r.id)); // a hidden (soft-deleted) parent still exists
  const lost = runs.filter((r) => !r.hidden && r.parentId !== undefined && r.parentId !== '' && !ids.has(r.parentId));
  if (!lost.length) return [];
  const n = lost.length;
  return [{
    code: 'orphan/rows', severity: 'information', table: profile.runs.table, count: n,
    message: `${n} ${n === 1 ? 'run names a parent run that no longer exists' : 'runs name parent runs that no longer exist'} (purged); ${n === 1 ? 'it is' : 'they are'} shown at the top level.`,
    details: { column: 'parent', kind: 'reference', runIds: lost.map((r) => r.id), missingParents: new Set(lost.map((r) => r.parentId)).size },
  }];
}
