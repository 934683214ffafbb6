// Cleanup requests: the server plans (read-only), checks for other processes, executes in the
// engine worker (which archives, writes in one transaction and verifies), then re-evaluates the
// database so every view shows the result. Cancelling the request cancels the transaction.
import * as path from 'node:path';
import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import { EngineError } from '../core/db/errors';
import { DuckDbEngine, isDuckDbPath } from '../core/duckdb/engine';
import type { EngineClient } from '../core/engine/client';
import type { CleanupReport } from '../core/cleanup/types';
import {
  CleanupExecuteRequest, CleanupPlanRequest, CleanupPreflightRequest, UndoInfoRequest, UndoRequest,
} from '../shared/protocol';
import type { DatabaseSession } from './session';
import { doctorOptionsFrom } from './settings';

export function registerCleanup(
  connection: Connection, engine: EngineClient, sessionFor: (p: string) => DatabaseSession | undefined, folders: () => string[],
  duck: () => DuckDbEngine,
): void {
  const session = (p: string) => {
    const s = sessionFor(p);
    if (!s) throw new Error(`${path.basename(p)} is not open in Experiment Health.`);
    return s;
  };
  /** The archive directory setting: absolute, or relative to the database's workspace folder. */
  const archiveDirectory = (s: DatabaseSession): string | undefined => {
    const dir = s.settings.archiveDirectory;
    if (!dir) return undefined;
    if (path.isAbsolute(dir)) return dir;
    const folder = folders().find((f) => s.path.startsWith(f + path.sep)) ?? path.dirname(s.path);
    return path.join(folder, dir);
  };
  const signalOf = (token: CancellationToken) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return controller.signal;
  };
  const afterWrite = async (s: DatabaseSession, report: CleanupReport) => {
    connection.console.info(`${path.basename(s.path)}: ${report.message} (${report.elapsedMs} ms)${report.archive ? `; archive ${report.archive.file}` : ''}`);
    await s.evaluate('after a cleanup');
    return report;
  };

  connection.onRequest(CleanupPlanRequest, ({ action, target }) => {
    const s = session(target.path);
    // DuckDB files are read-only for now: the reader answers with a refused plan saying so.
    if (isDuckDbPath(s.path)) return duck().call('plan', { action, target: { ...target, path: s.path }, options: doctorOptionsFrom(s.settings) });
    return engine.call('cleanupPlan', {
      action, target: { ...target, path: s.path }, options: doctorOptionsFrom(s.settings), profiles: s.profiles, hardDelete: s.settings.hardDelete,
    });
  });
  connection.onRequest(CleanupPreflightRequest, ({ path: p }) => engine.call('cleanupPreflight', { path: session(p).path }));
  /**
   * A cancelled write never passed its commit point (a cancel after it is ignored and the report
   * comes back): roll its journal back now, not at the next write, and mark its archive failed.
   */
  const cancelled = async (s: DatabaseSession, what: 'cleanup' | 'undo', since: string): Promise<Error> => {
    const r = await engine.call('recover', { path: s.path, archiveDirectory: archiveDirectory(s), since })
      .catch((err: Error) => ({ recovered: false, message: err.message }));
    connection.console.warn(`${path.basename(s.path)}: ${what} cancelled; ${r.message}`);
    const state = r.recovered ? `The database was rolled back to its state before the ${what}.`
      : /^nothing to recover/.test(r.message) ? 'The database was not changed.' : `Its interrupted write is still beside the database: ${r.message}.`;
    return new Error(`Cancelled before anything was committed. ${state}`);
  };
  const write = async (s: DatabaseSession, what: 'cleanup' | 'undo', token: CancellationToken, call: (signal: AbortSignal) => Promise<CleanupReport>) => {
    const since = new Date().toISOString();
    try {
      return await afterWrite(s, await call(signalOf(token)));
    } catch (e) {
      if (e instanceof EngineError && e.code === 'cancelled') throw await cancelled(s, what, since);
      throw e;
    } finally { void s.evaluate(`after a${what === 'undo' ? 'n' : ''} ${what} attempt`); }
  };

  connection.onRequest(CleanupExecuteRequest, ({ plan }, token) => {
    const s = session(plan.database);
    // Archived always, whatever the client asks: the archive comes before any write (DESIGN §5).
    return write(s, 'cleanup', token, (signal) => engine.call('cleanupExecute', { plan, archive: true, archiveDirectory: archiveDirectory(s) }, { signal }));
  });
  connection.onRequest(UndoInfoRequest, ({ path: p }) => {
    const s = session(p);
    return engine.call('undoInfo', { path: s.path, archiveDirectory: archiveDirectory(s) });
  });
  connection.onRequest(UndoRequest, ({ path: p, archive }, token) => {
    const s = session(p);
    return write(s, 'undo', token, (signal) => engine.call('undo', { path: s.path, archive }, { signal }));
  });
}
