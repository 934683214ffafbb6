// contextValue strings, matched by the `viewItem` when-clauses of package.json's menus. One place,
// so the menus stay greppable (GitLens ContextValues). Scheme:
//   experimentHealth:database[:error|:unknownSchema][:incomplete][:stale][:canReset][:orphans]
//   experimentHealth:experiment[:incomplete][:stale][:canReset]
//   experimentHealth:run:<state>[:stale][:canReset][:kept]
//   experimentHealth:run:deleted · experimentHealth:experiment:deleted (hidden rows: no cleanups)
//   experimentHealth:group · experimentHealth:loadMore · experimentHealth:recent
// plus: experimentHealth:database:unknownSchema:other (not an experiment database: no profile matches),
// experimentHealth:database:other (a file found that is empty or not SQLite: no Create Mapping…),
// experimentHealth:otherDatabases, experimentHealth:message.
import type { Experiment, Run, RunCounts } from '../../core/model';
import type { DatabaseSummary } from '../../shared/protocol';

export const CV = {
  group: 'experimentHealth:group',
  loadMore: 'experimentHealth:loadMore',
  recent: 'experimentHealth:recent',
  otherDatabases: 'experimentHealth:otherDatabases',
  message: 'experimentHealth:message',
} as const;

/** Profiles whose cleanup supports "reset stale runs to pending". */
const RESET_PROFILES = new Set(['recipe-runner']);

export function canReset(profile: string | undefined): boolean { return !!profile && RESET_PROFILES.has(profile); }

/** Profiles whose runs are never deleted one by one (CleanupSpec.runsKept: Optuna's trial numbers). */
const KEPT_RUN_PROFILES = new Set(['optuna']);

function flags(counts: RunCounts, profile: string | undefined): string {
  let s = '';
  if ((counts.incomplete ?? 0) > 0) s += ':incomplete';
  if ((counts.stale ?? 0) > 0) s += ':stale';
  if (canReset(profile)) s += ':canReset';
  return s;
}

export function databaseContextValue(s: DatabaseSummary): string {
  // the server reports databases no profile matches as not-experiment-db, with their tables:
  // they offer Create Mapping… like an unknown schema, and are listed quietly (`:other`)
  if (s.status === 'not-experiment-db') return s.unreadable ? 'experimentHealth:database:other' : 'experimentHealth:database:unknownSchema:other';
  let v = 'experimentHealth:database';
  if (s.status === 'error' || s.status === 'gone') return `${v}:error`;
  if (s.status === 'unknown-schema') return `${v}:unknownSchema`;
  v += flags(s.runCounts ?? {}, s.profile);
  if ((s.findingCounts?.['orphan/rows'] ?? 0) > 0) v += ':orphans';
  return v;
}

export function experimentContextValue(e: Experiment, profile: string | undefined): string {
  if (e.hidden) return 'experimentHealth:experiment:deleted';
  return `experimentHealth:experiment${flags(e.runCounts, profile)}`;
}

export function runContextValue(r: Run, profile: string | undefined): string {
  if (r.hidden) return 'experimentHealth:run:deleted';
  return `experimentHealth:run:${r.state}${r.state === 'stale' ? ':stale' : ''}${canReset(profile) ? ':canReset' : ''}`
    + (profile && KEPT_RUN_PROFILES.has(profile) ? ':kept' : '');
}
