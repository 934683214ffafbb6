// A profile says how one system's database maps to experiments and runs. It is data (the same
// shape as the user's generic mapping in settings or .vscode/experiment-health.json, validated by
// the JSON schema in media/experiment-health.schema.json), so a new system is mostly a new file.
import type { IdStyle } from '../ids';
import type { RunState } from '../model';

/** A SQL expression over the table's row alias (`t`), or simply a column name. */
export type Expr = string;

export interface TimeSpec {
  /** Column name or SQL expression giving the stored value. */
  expr: Expr;
  /**
   * How the system writes times without a zone: 'local' (the writer's wall clock; read with the
   * naive-timestamps setting) or 'utc' (SQLite CURRENT_TIMESTAMP). Values with a zone are exact.
   */
  naive?: 'local' | 'utc';
}

export interface ExperimentsSpec {
  table: string;
  id: Expr;
  label?: Expr;
  config?: Expr;
  startedAt?: TimeSpec;
  finishedAt?: TimeSpec;
  /** Rows matching this SQL condition are hidden and never flagged (e.g. soft-deleted). */
  hidden?: Expr;
  /** False when the "experiment" is a shared definition (a recipe), never deleted by cleanup. */
  deletable?: boolean;
}

/** When runs have no experiment column: consecutive runs form one experiment (a pipeline). */
export interface SessionGrouping {
  /** A new experiment starts at a run matching this SQL condition… */
  startsWhen?: Expr;
  /** …or after this much silence between consecutive runs. */
  gapMinutes?: number;
  /** Label prefix, e.g. "pipeline". */
  label: string;
}

export interface RunsSpec {
  table: string;
  id: Expr;
  /** Expression giving the experiment id of a run; absent → grouped by `sessions` or into one. */
  experimentId?: Expr;
  sessions?: SessionGrouping;
  label?: Expr;
  /** Grouping key shown and used by "group by configuration", e.g. the network or the model. */
  config?: Expr;
  /** Stored status and how each value maps to a unified state; unknown values map to `otherwise`. */
  status?: { expr: Expr; map: Record<string, RunState>; otherwise?: RunState };
  startedAt?: TimeSpec;
  finishedAt?: TimeSpec;
  heartbeat?: TimeSpec;
  /**
   * Whether the start time counts as activity. False for queue times (recipe-runner's
   * started_at is set at INSERT, not when work starts): there, liveness comes from children.
   */
  startIsActivity?: boolean;
  stepsDone?: Expr;
  stepsExpected?: Expr;
  /** A completed run with fewer steps done than expected is incomplete. */
  shortIsIncomplete?: boolean;
  error?: Expr;
  stopReason?: Expr;
  hidden?: Expr;
  /** Model/network column used for per-model stale thresholds. */
  model?: Expr;
  /**
   * Id of the run's parent run (nested runs, e.g. MLflow's `mlflow.parentRunId` tag). Children are
   * shown under their parent, and their activity keeps every ancestor alive.
   */
  parent?: Expr;
}

export interface ChildSpec {
  table: string;
  /** Column of the child holding the run's key. */
  key: string;
  /** Column of the runs table it refers to (default: runs.id). */
  references?: string;
  /** Timestamps of the child that prove the run was alive. */
  activity?: TimeSpec[];
  /** The child rows are the run's steps (counted as steps done); `sequence` numbers them. */
  steps?: { sequence?: string };
  /** Named conditions counted per run (e.g. invocations with no output). */
  counts?: Record<string, Expr>;
  /** Rows that do not count as finished work (deleted by "reset stale runs"). */
  unfinishedWhen?: Expr;
}

/** A relationship the schema does not declare (ORM-only cascades); feeds orphans and cascades. */
export interface RelationSpec {
  table: string;
  column: string;
  references: { table: string; column: string };
  /** 'owned': the child belongs to its parent (orphan when gone, deleted with it). */
  kind?: 'owned' | 'reference';
  /** Only child rows matching this condition (alias `t`) link to the parent: polymorphic links (MLflow inputs). */
  when?: Expr;
}

export interface ProfileSpec {
  name: string;
  title: string;
  description?: string;
  /** Every listed table must exist with at least these columns. */
  detect: { table: string; columns?: string[] }[];
  /** Higher wins when several profiles match. */
  priority?: number;
  /** How the system prints ids: 'uuid' shows 32 hex digits dashed (panic-tda). Absent: as stored. */
  idsShownAs?: IdStyle;
  experiments?: ExperimentsSpec;
  runs: RunsSpec;
  children?: ChildSpec[];
  relations?: RelationSpec[];
  /**
   * Built-in code for what data cannot express: panic-tda's derived stop reasons; Optuna's own
   * heartbeat grace-period view beside ours (core/doctor/optuna.ts).
   */
  derive?: 'panic-tda' | 'optuna';
  /** Cleanup actions this profile allows, with their parameters (see core/cleanup). */
  cleanup?: CleanupSpec;
}

export interface CleanupSpec {
  /** How "mark stale" writes: which status value and columns (absent: action not offered). */
  markStale?: {
    status: string;
    finishedAt?: { column: string; format: 'sqlite-utc' | 'iso-local' | 'epoch-ms' | 'naive-local-micro' | 'utc-offset' };
    /** Column holding a JSON object to merge {reason, original_status} into. */
    metadataJson?: string;
    /** Column receiving an explanatory error text. */
    errorText?: string;
  };
  /** "Reset stale runs to pending": status value, columns to clear, and children to delete. */
  resetStale?: {
    status: string;
    clear?: string[];
    /**
     * Child rows of a reset run that are deleted (unfinished work). `table` must be one of the
     * profile's `children` (its key links it to the run); `when` is a SQL condition over the
     * child row (alias `t`); absent: every child row of the run.
     */
    deleteChildren?: {
      table: string; when?: Expr;
      /**
       * When `when` cannot be read on a file (an older writer without the column it names):
       * 'all' deletes every child row of the reset runs, for every rule, as the system's own
       * cleanup does; absent: the plan is refused.
       */
      whenUnreadable?: 'all';
    }[];
  };
  /**
   * Why this system never deletes single runs (Optuna: a trial's number is the count of its
   * study's earlier trials, so a gap makes the next trial repeat a number). Absent: it can.
   */
  runsKept?: string;
  /** The stored status column written by markStale/resetStale (default: runs.status.expr when it names one column). */
  statusColumn?: string;
  /**
   * Deleting is a soft delete in this system (MLflow): "delete runs/experiment" writes these
   * columns instead of deleting rows, and a hard delete (rows gone, children first) happens only
   * when the user turned on the explicit hard-delete setting.
   */
  softDelete?: {
    /** What deleting a run writes, e.g. { lifecycle_stage: 'deleted' } plus deleted_time = now. */
    runs: SoftDeleteWrite;
    /** What deleting an experiment writes on its row; its runs get `runs` as well (MLflow's delete_experiment). */
    experiments?: SoftDeleteWrite;
    /** What restoring writes (the inverse), e.g. { lifecycle_stage: 'active', deleted_time: null }. */
    restoreRuns?: SoftDeleteWrite;
  };
}

export interface SoftDeleteWrite {
  /** Column → constant value. */
  set: Record<string, string | number | null>;
  /** Column receiving the time of the deletion, in the system's encoding (skipped when the column is missing). */
  time?: { column: string; format: 'sqlite-utc' | 'iso-local' | 'epoch-ms' | 'naive-local-micro' | 'utc-offset' };
}
