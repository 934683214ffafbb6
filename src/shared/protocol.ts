// The one definition of every custom message between the extension (client) and the language
// server. Both sides import these objects, so a renamed method or changed shape fails to compile.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { CleanupAction, CleanupPlan, CleanupReport, CleanupTarget, PreflightResult, UndoInfo } from '../core/cleanup/types';
import type { IdStyle } from '../core/ids';
import type { Experiment, Finding, Run, RunState } from '../core/model';

export const REPORT_SCHEME = 'experiment-health-report';
export const REPORT_LANGUAGE = 'experiment-health-report';

/** The health report of a database is a virtual document: `experiment-health-report:/<db path>.health`. */
export function reportUriFor(dbPath: string): string {
  const posix = dbPath.replace(/\\/g, '/');
  const withSlash = posix.startsWith('/') ? posix : `/${posix}`;
  return `${REPORT_SCHEME}:${withSlash.split('/').map(encodeURIComponent).join('/')}.health`;
}

export function dbPathFromReportUri(uri: string): string | undefined {
  if (!uri.startsWith(`${REPORT_SCHEME}:`) || !uri.endsWith('.health')) return undefined;
  const p = decodeURIComponent(uri.slice(REPORT_SCHEME.length + 1, -'.health'.length));
  return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p; // Windows: /C:/x → C:/x
}

export interface ServerInfo {
  version: string; pid: number; node: string;
  /** The server process's memory now (MB), its engine workers' included. */
  memory: { rssMb: number; heapUsedMb: number; externalMb: number };
  /** Whether the DuckDB reader's worker (and its WebAssembly memory) exists right now. */
  duckdbReader: boolean;
}
export const ServerInfoRequest = new RequestType0<ServerInfo, void>('experimentHealth/serverInfo');

export type DatabaseStatus = 'reading' | 'ok' | 'unknown-schema' | 'not-experiment-db' | 'error' | 'gone';

export interface DatabaseSummary {
  /** Absolute path; the database's identity everywhere. */
  path: string;
  /** URI of its health report document. */
  reportUri: string;
  status: DatabaseStatus;
  profile?: string;
  /** How the database's system prints ids (core/ids.ts); absent: as stored. */
  idStyle?: IdStyle;
  /** One sentence when status is error, unknown-schema or gone, with the next step. */
  message?: string;
  /**
   * A file found by the workspace search that is not a database at all (an empty file, another
   * program's .db): listed quietly with the not-experiment databases, never an
   * error. A file the user named in settings gets the error instead.
   */
  unreadable?: 'empty' | 'not-sqlite';
  /** e.g. "WAL database, read-only snapshot; 12 kB not yet checkpointed". */
  notice?: string;
  experimentCount: number;
  runCounts: Partial<Record<RunState, number>>;
  findingCounts: Record<string, number>;
  tables?: { name: string; columns: string[] }[];
  evaluatedAt?: string;
}

export const DatabasesRequest = new RequestType0<DatabaseSummary[], void>('experimentHealth/databases');
/** The client's discovery (findFiles over the databases setting) tells the server what to open. */
export interface WorkspaceDatabasesParams {
  paths: string[];
  /** Those the setting names one by one (no wildcard): a file there that is not a database is an error, not quiet. */
  named?: string[];
}
export const WorkspaceDatabasesRequest = new RequestType<WorkspaceDatabasesParams, DatabaseSummary[], void>('experimentHealth/workspaceDatabases');

/** Sent after any database's state or data changed; the tree refreshes just those. */
export const DatabasesChangedNotification = new NotificationType<{ paths: string[] }>('experimentHealth/databasesChanged');

export interface OpenDatabaseParams { path: string }
export const OpenDatabaseRequest = new RequestType<OpenDatabaseParams, DatabaseSummary, void>('experimentHealth/openDatabase');
export const CloseDatabaseRequest = new RequestType<OpenDatabaseParams, void, void>('experimentHealth/closeDatabase');

export interface ExperimentsParams {
  path: string;
  /** Include hidden experiments (e.g. deleted in MLflow), marked `hidden`. */
  showHidden?: boolean;
}
export const ExperimentsRequest = new RequestType<ExperimentsParams, Experiment[], void>('experimentHealth/experiments');

export type RunSort = 'started' | 'state' | 'steps';
export interface RunsParams {
  path: string;
  /** Omit for "recent runs" across all experiments (newest first). */
  experimentId?: string;
  states?: RunState[];
  /** Only runs whose config equals this (used when grouping by configuration). */
  config?: string;
  sort?: RunSort;
  /** Include hidden runs (e.g. soft-deleted in MLflow), marked `hidden`. */
  showHidden?: boolean;
  /**
   * Nested runs (MLflow's parent run): the children of this run. Without it, an experiment's page
   * holds only its top-level runs unless a state or configuration filter is set (then it is flat).
   */
  parentRunId?: string;
  offset: number;
  limit: number;
}
export interface RunsPage {
  runs: Run[];
  /** Runs matching the filter in all (for "Load more" and counts). */
  total: number;
  /** Readable ids (in the system's own form, unique within the database) for the runs on this page. */
  shortIds: Record<string, string>;
  /** Runs on this page that have nested child runs, and how many (absent: none). */
  childCounts?: Record<string, number>;
}
export const RunsRequest = new RequestType<RunsParams, RunsPage, void>('experimentHealth/runs');

export interface GroupsParams { path: string; experimentId: string; by: 'config' | 'state'; states?: RunState[]; showHidden?: boolean }
export interface RunGroup { key: string; label: string; count: number; runCounts: Partial<Record<RunState, number>> }
export const GroupsRequest = new RequestType<GroupsParams, RunGroup[], void>('experimentHealth/groups');

export interface FindingsParams { path: string }
export const FindingsRequest = new RequestType<FindingsParams, Finding[], void>('experimentHealth/findings');

/** Where an experiment's or a run's line is in the report (for "Reveal in Health Report"). */
export interface ReportLocationParams { path: string; experimentId?: string; runId?: string }
export interface ReportLocation { uri: string; line: number }
export const ReportLocationRequest = new RequestType<ReportLocationParams, ReportLocation | null, void>('experimentHealth/reportLocation');

export interface ReportParams { path: string }
export const ReportRequest = new RequestType<ReportParams, { text: string }, void>('experimentHealth/report');

// Cleanup: the types live in core (the CLI uses them too); the requests are defined here.
export type { CleanupAction, CleanupPlan, CleanupReport, CleanupTarget, PreflightResult, UndoInfo };

export interface CleanupPlanParams { action: CleanupAction; target: CleanupTarget }
export const CleanupPlanRequest = new RequestType<CleanupPlanParams, CleanupPlan, void>('experimentHealth/cleanupPlan');
export const CleanupPreflightRequest = new RequestType<{ path: string }, PreflightResult, void>('experimentHealth/cleanupPreflight');
/** Executes a confirmed plan; cancellable (cancel rolls the transaction back). */
export interface CleanupExecuteParams { plan: CleanupPlan; archive: boolean }
export const CleanupExecuteRequest = new RequestType<CleanupExecuteParams, CleanupReport, void>('experimentHealth/cleanupExecute');
export const UndoInfoRequest = new RequestType<{ path: string }, UndoInfo | null, void>('experimentHealth/undoInfo');
export const UndoRequest = new RequestType<{ path: string; archive: string }, CleanupReport, void>('experimentHealth/undo');

export const CLEANUP_COMMANDS: Record<CleanupAction, string> = {
  'delete-incomplete': 'experimentHealth.deleteIncompleteRuns',
  'mark-stale': 'experimentHealth.markStaleRuns',
  'reset-stale': 'experimentHealth.resetStaleRuns',
  'delete-orphans': 'experimentHealth.deleteOrphans',
  'delete-runs': 'experimentHealth.deleteRuns',
  'delete-experiment': 'experimentHealth.deleteExperiment',
};
/** Profiles whose systems have a "pending" state a stale run can be reset to. */
export const RESETTABLE_PROFILES: readonly string[] = ['recipe-runner'];

// Run details and experiment charts (editor panels). Data is aggregated in the server: a chart
// of 100,000 runs ships bins, not points.
export interface RunDetailsParams { path: string; runId: string }
export interface RunDetailsResult {
  run: Run;
  shortId: string;
  experimentLabel?: string;
  /** Every stored column of the run's row; blobs are described, not shipped. */
  columns: Record<string, string | number | null>;
  /** Rows hanging off the run, per table. */
  childCounts: Record<string, number>;
  findings: Finding[];
  staleAfterMinutes: number;
  profile?: string;
}
export const RunDetailsRequest = new RequestType<RunDetailsParams, RunDetailsResult | null, void>('experimentHealth/runDetails');

// Experiment charts: bins aggregated by the server (src/core/charts.ts), never one point per run.
export type { ChartBin, ChartData, ChartKind, ConfigGroup, Histogram, RunSelector, StateCount } from '../core/charts';
export interface ExperimentChartsParams { path: string; experimentId: string }
export const ExperimentChartsRequest = new RequestType<ExperimentChartsParams, import('../core/charts').ChartData | null, void>('experimentHealth/experimentCharts');
/** Every run a bar stands for, when its bin's id list was capped (up to `limit`, default 10,000). */
export interface ChartRunIdsParams { path: string; experimentId: string; selector: import('../core/charts').RunSelector; limit?: number }
export const ChartRunIdsRequest = new RequestType<ChartRunIdsParams, { ids: string[]; total: number }, void>('experimentHealth/chartRunIds');
