// The cleanup contract's data: plan → confirm → preflight → archive → execute → verify → report
// → (undo). Plain data: it crosses the worker, the LSP connection and the CLI's JSON unchanged.
import type { DoctorOptions } from '../doctor/options';
import type { IdStyle } from '../ids';
import type { ProfileSpec } from '../profiles/spec';

export type CleanupAction = 'delete-incomplete' | 'mark-stale' | 'reset-stale' | 'delete-orphans' | 'delete-runs' | 'delete-experiment';
export const CLEANUP_ACTIONS: readonly CleanupAction[] = ['delete-incomplete', 'mark-stale', 'reset-stale', 'delete-orphans', 'delete-runs', 'delete-experiment'];

export interface CleanupTarget {
  path: string;
  experimentId?: string;
  /** Exactly these runs (a selection, a quick fix); absent: every run the action applies to. */
  runIds?: string[];
  /** delete-orphans: only these child tables. */
  tables?: string[];
}

export interface PlanParams {
  action: CleanupAction;
  target: CleanupTarget;
  /** The doctor's options: a plan re-derives states now, so only what is true now is targeted. */
  options: DoctorOptions;
  profiles?: ProfileSpec[];
  /**
   * In a system that deletes softly (MLflow), remove the rows instead (children first). Only set
   * from the explicit setting `experimentHealth.hardDelete` or the CLI's `--hard`.
   */
  hardDelete?: boolean;
}

export interface TableChange { table: string; deleted: number; updated: number }

export interface CleanupPlan {
  action: CleanupAction;
  target: CleanupTarget;
  database: string;
  profile: string;
  /** One sentence naming the action and its target, for the dialog's message. */
  title: string;
  /** Runs that will be deleted or changed (ids as stored). */
  runIds: string[];
  /** How the system prints run ids, for showing them (core/ids.ts). */
  idStyle?: IdStyle;
  /** Runs the target named that will NOT be touched, and why (e.g. recent activity). */
  excluded: { runId: string; reason: string }[];
  /** Rows each table loses or has changed, children first. */
  changes: TableChange[];
  totalRows: number;
  /** Rough size of the archive this cleanup writes, in bytes. */
  archiveBytes: number;
  /** The database version the plan was made on; execution refuses if it changed meanwhile. */
  fingerprint: string;
  /** The plan as a SQL script, for users who run it with their own tool. */
  sql: string;
  /** Set when the action cannot run on this database at all, with the reason. */
  refusal?: string;
  /** Things to know that do not stop the cleanup (e.g. rows left referring to deleted rows). */
  warnings?: string[];
  /** The doctor options the plan was made with; execution re-plans with them (and a fresh "now"). */
  options?: DoctorOptions;
  /** User profiles the plan was made with (execution detects the same profile). */
  profiles?: ProfileSpec[];
  /** The plan removes rows although the system deletes softly (see PlanParams.hardDelete). */
  hardDelete?: boolean;
  /** The plan marks rows deleted the way the system itself does, instead of removing them. */
  softDelete?: boolean;
}

export interface ProcessHolder { pid: number; command: string; file: string }

export interface PreflightResult {
  ok: boolean;
  /** Other processes that have the database or its -wal/-shm/-journal open. */
  holders: ProcessHolder[];
  /** One sentence when not ok. */
  reason?: string;
  /** How the check was done on this platform (documented limits on Windows). */
  method: string;
}

export interface ExecuteParams {
  plan: CleanupPlan;
  archive: boolean;
  /** Where archives go; default `<db dir>/.experiment-health/archive/`. */
  archiveDirectory?: string;
  /** Options for the fresh re-plan (default: the plan's own, with now = the time of execution). */
  options?: DoctorOptions;
  profiles?: ProfileSpec[];
}

export interface CleanupReport {
  plan: CleanupPlan;
  /** Rows actually changed, per table (equal to the plan's, or the transaction was rolled back). */
  changes: TableChange[];
  verified: boolean;
  /** The archive written (absent when archiving was off). */
  archive?: { file: string; manifest: string };
  elapsedMs: number;
  message: string;
  /** Milliseconds spent in each phase (plan, archive, transaction, verify), for the log. */
  timings?: Record<string, number>;
}

export interface UndoInfo {
  database: string;
  archive: string;
  action: CleanupAction;
  title: string;
  time: string;
  changes: TableChange[];
  /** Set when undo is impossible (keys exist again, database replaced), with the reason. */
  refusal?: string;
}
