// The unified model every profile maps its database into. Plain data: it crosses the worker,
// the LSP connection and the CLI's JSON unchanged.

export const RUN_STATES = ['pending', 'running', 'stale', 'completed', 'failed', 'incomplete', 'degraded'] as const;
export type RunState = (typeof RUN_STATES)[number];

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export type FindingCode =
  | 'run/stale'
  | 'run/incomplete'
  | 'run/failed'
  | 'run/sequence-gap'
  | 'run/duplicate-steps'
  | 'artifact/missing'
  | 'artifact/duplicate'
  | 'artifact/invalid'
  | 'orphan/rows'
  | 'experiment/stale';

export const DEFAULT_SEVERITY: Record<FindingCode, Severity> = {
  'run/stale': 'warning',
  'run/incomplete': 'error',
  'run/failed': 'information',
  'run/sequence-gap': 'warning',
  'run/duplicate-steps': 'warning',
  'artifact/missing': 'warning',
  'artifact/duplicate': 'warning',
  'artifact/invalid': 'warning',
  'orphan/rows': 'warning',
  'experiment/stale': 'warning',
};

export type RunCounts = Partial<Record<RunState, number>>;

export interface Experiment {
  /** Id as stored in the database (text). */
  id: string;
  /** Readable label: a name, or a short readable id. */
  label: string;
  /** Configuration that tells experiments or runs apart, e.g. a network or a suite. */
  config?: string;
  state: RunState;
  runCounts: RunCounts;
  runTotal: number;
  startedAt?: string;
  finishedAt?: string;
  lastActivityAt?: string;
  /** True when the experiment row itself is gone and its runs were found through them. */
  missingRow?: boolean;
  /** Hidden by the profile (e.g. a deleted MLflow experiment): only present when hidden rows are shown. */
  hidden?: boolean;
  /** Runs of this experiment that are hidden (e.g. soft-deleted), not counted in runCounts/runTotal. */
  hiddenRuns?: number;
}

export interface Run {
  id: string;
  experimentId: string;
  /** Readable label when the system has one (a stage, a scenario). */
  label?: string;
  state: RunState;
  /** Grouping key, e.g. the network ['SDXLTurbo','Moondream'] or the model. */
  config?: string;
  stepsDone?: number;
  stepsExpected?: number;
  /** ISO-8601 UTC times. */
  startedAt?: string;
  lastActivityAt?: string;
  finishedAt?: string;
  /** The status as stored, before mapping. */
  rawStatus?: string;
  stopReason?: string;
  error?: string;
  /** Nested runs: the parent run's id as stored (the parent may be missing, e.g. purged). */
  parentRunId?: string;
  /** Hidden by the profile (soft-deleted, or in a deleted experiment): shown only on request, never flagged. */
  hidden?: boolean;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  experimentId?: string;
  runId?: string;
  table?: string;
  count?: number;
  message: string;
  details?: Record<string, unknown>;
}
