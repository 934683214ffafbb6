// The one definition of every custom message between the extension (client) and the language
// server. Both sides import these objects, so a renamed method or changed shape fails to compile.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Experiment, Finding, Run, RunState } from '../core/model';

export const REPORT_SCHEME = 'experiment-health-report';
export const REPORT_LANGUAGE = 'experiment-health-report';

export interface ServerInfo { version: string; pid: number; node: string }
export const ServerInfoRequest = new RequestType0<ServerInfo, void>('experimentHealth/serverInfo');

export type DatabaseStatus = 'reading' | 'ok' | 'unknown-schema' | 'not-experiment-db' | 'error' | 'gone';

export interface DatabaseSummary {
  /** Absolute path; the database's identity everywhere. */
  path: string;
  /** URI of its health report document. */
  reportUri: string;
  status: DatabaseStatus;
  profile?: string;
  /** One sentence when status is error, unknown-schema or gone, with the next step. */
  message?: string;
  /** e.g. "WAL database, read-only snapshot; 12 kB not yet checkpointed". */
  notice?: string;
  experimentCount: number;
  runCounts: Partial<Record<RunState, number>>;
  findingCounts: Record<string, number>;
  tables?: { name: string; columns: string[] }[];
  evaluatedAt?: string;
}

export const DatabasesRequest = new RequestType0<DatabaseSummary[], void>('experimentHealth/databases');
export const DatabasesChangedNotification = new NotificationType<{ paths: string[] }>('experimentHealth/databasesChanged');

export interface OpenDatabaseParams { path: string }
export const OpenDatabaseRequest = new RequestType<OpenDatabaseParams, DatabaseSummary, void>('experimentHealth/openDatabase');
export const CloseDatabaseRequest = new RequestType<OpenDatabaseParams, void, void>('experimentHealth/closeDatabase');

export interface ExperimentsParams { path: string }
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
  offset: number;
  limit: number;
}
export interface RunsPage { runs: Run[]; total: number }
export const RunsRequest = new RequestType<RunsParams, RunsPage, void>('experimentHealth/runs');

export interface GroupsParams { path: string; experimentId: string; by: 'config' | 'state'; states?: RunState[] }
export interface RunGroup { key: string; label: string; count: number; runCounts: Partial<Record<RunState, number>> }
export const GroupsRequest = new RequestType<GroupsParams, RunGroup[], void>('experimentHealth/groups');

export interface FindingsParams { path: string }
export const FindingsRequest = new RequestType<FindingsParams, Finding[], void>('experimentHealth/findings');

export interface ReportParams { path: string }
export const ReportRequest = new RequestType<ReportParams, { text: string }, void>('experimentHealth/report');
