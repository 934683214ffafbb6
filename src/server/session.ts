// One open database in the language server: evaluates it through the engine worker, watches the
// file and its -wal/-journal, re-evaluates after changes (debounced) and as time passes (a run
// becomes stale without any write), and publishes the report's diagnostics.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { EngineError } from '../core/db/errors';
import { hostPath } from '../core/db/header';
import type { DoctorResponse } from '../core/engine/doctor-handlers';
import type { DoctorResult } from '../core/doctor/doctor';
import type { Finding } from '../core/model';
import type { ProfileSpec } from '../core/profiles/spec';
import { countStates } from '../core/doctor/states';
import { reportUriFor, type DatabaseStatus, type DatabaseSummary } from '../shared/protocol';
import { buildDiagnostics, lineRange, SOURCE } from './diagnostics';
import { renderReport, type ReportModel } from './report';
import { runsNewestFirst, withoutHidden } from './queries';
import { doctorOptionsFrom, resolveSettings, DEFAULTS, type Settings } from './settings';
import { DiagnosticSeverity } from 'vscode-languageserver/node';

/** While anything runs, re-evaluate this often so runs turn stale on time. */
const LIVE_TICK_MS = 30_000;
/** A writer mid-commit: retry this often, this many times, before showing the error. */
const BUSY_RETRY_MS = 2_000;
const BUSY_RETRIES = 5;

/** What a session needs of an engine (both the sql.js worker and the DuckDB reader offer it). */
export type DatabaseEngine = Pick<import('../core/engine/client').EngineClient, 'call'>;

export interface SessionHost {
  connection: Connection;
  /** The engine that reads this file: sql.js for SQLite, the DuckDB reader for .duckdb. */
  engineFor(path: string): DatabaseEngine;
  workspaceFolders(): string[];
  changed(path: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class DatabaseSession {
  readonly reportUri: string;
  status: DatabaseStatus = 'reading';
  message?: string;
  unreadable?: DatabaseSummary['unreadable'];
  notices: string[] = [];
  /** The last result without hidden rows (soft-deleted runs, deleted experiments): what views show. */
  result?: DoctorResult;
  /** The last result with hidden rows, marked (the explorer's "Show Deleted"). */
  resultWithHidden?: DoctorResult;
  report: ReportModel;
  settings: Settings = DEFAULTS;
  /** User mappings in force for this database (settings and .vscode/experiment-health.json). */
  profiles: ProfileSpec[] = [];
  evaluatedAt = 0;
  private readonly watchers: fs.FSWatcher[] = [];
  private debounce?: NodeJS.Timeout;
  private tick?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private busyRetries = 0;
  private disposed = false;

  /** Named one by one in the databases setting: like an explicit open, a file that is no database is an error. */
  named = false;

  constructor(readonly path: string, private readonly host: SessionHost, public explicit = false) {
    this.reportUri = reportUriFor(path);
    this.report = renderReport({ path, evaluatedAt: Date.now(), error: 'reading…' });
    this.watch();
  }

  /** Evaluates now, or once more after the evaluation in flight. */
  evaluate(reason: string): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = this.run(reason).finally(() => {
      this.running = undefined;
      if (this.again && !this.disposed) { this.again = false; void this.evaluate('changed during evaluation'); }
    });
    return this.running;
  }

  private async run(reason: string): Promise<void> {
    const resolved = await resolveSettings(this.host.connection, this.path, this.host.workspaceFolders());
    this.settings = resolved.settings;
    this.profiles = resolved.profiles;
    for (const p of resolved.problems) this.host.log('warn', p);
    const t0 = Date.now();
    try {
      const response = await this.host.engineFor(this.path).call('doctor', {
        // Hidden rows are read too (marked, never flagged) so "Show Deleted" needs no second read.
        path: this.path, options: { ...doctorOptionsFrom(resolved.settings), showHidden: true }, profiles: resolved.profiles,
      });
      this.busyRetries = 0;
      this.accept(response, resolved.problems);
      this.host.log('info', `${path.basename(this.path)}: ${reason}; ${response.result.profile ?? 'no profile'}, ${response.result.runs.length} runs, ${response.result.findings.length} findings in ${Date.now() - t0} ms${response.reused ? ' (incremental)' : ''}`);
    } catch (e) {
      this.fail(e);
    }
    this.scheduleTick();
    this.host.changed(this.path);
  }

  private accept(response: DoctorResponse, problems: string[]): void {
    this.resultWithHidden = response.result;
    const r = withoutHidden(response.result);
    this.result = r;
    // Sort the runs now, while nothing waits, so the explorer's next expand only filters.
    setImmediate(() => { if (this.result === r) runsNewestFirst(r); });
    this.evaluatedAt = Date.now();
    this.unreadable = undefined;
    this.status = r.status === 'unknown-schema' ? 'not-experiment-db' : 'ok';
    this.message = r.status === 'unknown-schema'
      ? r.notices.find((n) => n.startsWith('This looks like')) ?? `No profile matches this database (tables: ${r.tables.map((t) => t.name).join(', ') || 'none'}). Create a mapping to read it.`
      : undefined;
    const notices = [...problems];
    if (response.header.journalMode === 'wal') {
      const wal = response.header.wal;
      notices.push(`WAL database, read as a read-only snapshot${wal.exists && wal.size ? `; ${Math.round(wal.size / 1024)} kB not yet checkpointed` : ''}.`);
    }
    if (!response.consistent) notices.push(response.message ?? 'the database is being written; showing the last consistent result');
    this.notices = notices;
    this.report = renderReport({ path: this.path, result: r, notices, evaluatedAt: this.evaluatedAt });
    const diagnostics = r.status === 'ok'
      ? buildDiagnostics(this.path, this.reportUri, r, this.report, this.settings.maxRunDiagnosticsPerExperiment) : [];
    void this.host.connection.sendDiagnostics({ uri: this.reportUri, diagnostics });
  }

  private fail(e: unknown): void {
    const err = e instanceof EngineError ? e : undefined;
    const message = err?.message ?? `Reading ${path.basename(this.path)} failed: ${e instanceof Error ? e.message : String(e)}`;
    if (err?.code === 'busy-writer' && this.busyRetries < BUSY_RETRIES) {
      // Another process is committing: keep what we showed, say so, and try again shortly.
      this.busyRetries++;
      this.notices = [...this.notices.filter((n) => !n.startsWith('A write is in progress')), 'A write is in progress; retrying.'];
      setTimeout(() => { if (!this.disposed) void this.evaluate('retry after a busy writer'); }, BUSY_RETRY_MS);
      return;
    }
    const gone = err?.code === 'not-found' || err?.code === 'changed-while-open';
    // Found by the search, and not a database at all: nothing to fix, so no error and no problem.
    const quiet = !this.explicit && !this.named && (err?.code === 'empty' || err?.code === 'not-sqlite') ? err.code : undefined;
    this.host.log(quiet ? 'info' : 'error', message);
    this.status = gone ? 'gone' : quiet ? 'not-experiment-db' : 'error';
    this.unreadable = quiet;
    this.message = gone && err?.code === 'not-found'
      ? `${path.basename(this.path)} was deleted or moved; its findings were cleared.` : message;
    this.result = undefined;
    this.resultWithHidden = undefined;
    this.evaluatedAt = Date.now();
    this.report = renderReport({ path: this.path, error: this.message, evaluatedAt: this.evaluatedAt });
    // A database that cannot be read gets one diagnostic with the engine's sentence; a deleted
    // one gets none (its problems are gone with it).
    const errorLine = this.report.lines.findIndex((l) => l.kind === 'error');
    const diagnostics = gone || quiet ? [] : [{
      range: lineRange(this.report.text, errorLine), severity: DiagnosticSeverity.Error, source: SOURCE, code: `engine/${err?.code ?? 'internal'}`, message: this.message,
    }];
    void this.host.connection.sendDiagnostics({ uri: this.reportUri, diagnostics });
    if (gone) void this.host.engineFor(this.path).call('close', { path: this.path }).catch(() => undefined);
  }

  /**
   * Watch the folder (the file itself may be replaced or deleted) for the db and its sidecars;
   * for a symlink, both the link's folder (re-pointed, deleted) and its target's (writes, -wal).
   */
  private watch(): void {
    const real = hostPath(this.path);
    for (const file of real === this.path ? [this.path] : [this.path, real]) {
      const dir = path.dirname(file), base = path.basename(file);
      const names = new Set([base, `${base}-wal`, `${base}-journal`, `${base}.wal`]); // .wal: DuckDB's
      try {
        const w = fs.watch(dir, { persistent: false }, (_event, name) => {
          if (name && !names.has(name.toString())) return;
          this.changedOnDisk();
        });
        w.on('error', () => this.changedOnDisk());
        this.watchers.push(w);
      } catch (e) {
        this.host.log('warn', `cannot watch ${dir}: ${e instanceof Error ? e.message : String(e)}; changes are picked up every ${LIVE_TICK_MS / 1000} s`);
      }
    }
  }

  private changedOnDisk(): void {
    if (this.disposed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.evaluate('file changed'), this.settings.debounceMs);
  }

  private scheduleTick(): void {
    clearTimeout(this.tick);
    if (this.disposed) return;
    const live = !!this.result && (this.result.runs.some((r) => r.state === 'running') || this.result.experiments.some((e) => e.state === 'running'));
    // Without a working watcher, poll; with live runs, re-evaluate so they turn stale on time.
    if (live || !this.watchers.length) this.tick = setTimeout(() => void this.evaluate(live ? 'time passed (live runs)' : 'poll'), LIVE_TICK_MS);
  }

  summary(): DatabaseSummary {
    const r = this.result;
    const findingCounts: Record<string, number> = {};
    for (const f of r?.findings ?? []) if (f.severity === 'error' || f.severity === 'warning') findingCounts[f.code] = (findingCounts[f.code] ?? 0) + 1;
    const s: DatabaseSummary = {
      path: this.path, reportUri: this.reportUri, status: this.status,
      experimentCount: r?.experiments.length ?? 0, runCounts: r ? countStates(r.runs) : {}, findingCounts,
    };
    if (r?.profile) s.profile = r.profile;
    if (r?.idStyle) s.idStyle = r.idStyle;
    if (this.message) s.message = this.message;
    if (this.unreadable) s.unreadable = this.unreadable;
    if (this.notices.length) s.notice = this.notices.join(' ');
    if (r && this.status === 'not-experiment-db') s.tables = r.tables;
    if (this.evaluatedAt) s.evaluatedAt = new Date(this.evaluatedAt).toISOString();
    return s;
  }

  /** What the explorer asked for: with hidden rows or without. */
  resultFor(showHidden: boolean | undefined): DoctorResult | undefined { return showHidden ? this.resultWithHidden : this.result; }

  findingsFor(experimentId?: string, runId?: string): Finding[] {
    return (this.result?.findings ?? []).filter((f) => (runId === undefined || f.runId === runId) && (experimentId === undefined || f.experimentId === experimentId));
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.debounce);
    clearTimeout(this.tick);
    for (const w of this.watchers) w.close();
    void this.host.connection.sendDiagnostics({ uri: this.reportUri, diagnostics: [] });
    void this.host.engineFor(this.path).call('close', { path: this.path }).catch(() => undefined);
  }
}
