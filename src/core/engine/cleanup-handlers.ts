// Engine methods of the cleanup: plan (read-only, torn-read protected), preflight, execute,
// undo info and undo. Writes close this worker's read connection to the database first and
// after, so the next read opens the file fresh, read-only, and sees the result.
import * as fs from 'node:fs';
import { buildPlan } from '../cleanup/plan';
import { openWriteSession } from '../db/write';
import { preflight } from '../cleanup/preflight';
import { executeCleanup } from '../cleanup/execute';
import { undoCleanup, undoInfo, type UndoParams } from '../cleanup/undo';
import type { CleanupPlan, CleanupReport, ExecuteParams, PlanParams, PreflightResult, UndoInfo } from '../cleanup/types';
import { listManifests, writeManifest } from '../cleanup/archive';
import { engineError } from '../db/errors';
import { hostPath } from '../db/header';
import { loadedSqlJs } from '../db/sqljs';
import { handlers, type HandlerContext } from './handlers';

declare module './protocol' {
  interface EngineMethods {
    cleanupPlan: { params: PlanParams; result: CleanupPlan };
    cleanupPreflight: { params: { path: string }; result: PreflightResult };
    cleanupExecute: { params: ExecuteParams & { path?: string }; result: CleanupReport };
    undoInfo: { params: { path: string; archiveDirectory?: string }; result: UndoInfo | null };
    undo: { params: UndoParams; result: CleanupReport };
    recover: { params: RecoverParams; result: { recovered: boolean; message: string } };
  }
}

const sql = () => {
  const SQL = loadedSqlJs();
  if (!SQL) throw engineError('internal', 'the database', 'sql.js is not loaded');
  return SQL;
};

function plan(params: PlanParams, ctx: HandlerContext): CleanupPlan {
  if (!params?.target?.path) throw engineError('bad-request', '', 'params.target.path must be a database path');
  const db = ctx.getDatabase(params.target.path);
  return ctx.read(db.path, (d) => buildPlan(d, { ...params, target: { ...params.target, path: db.path } }).plan).value;
}

function execute(params: ExecuteParams, ctx: HandlerContext): CleanupReport {
  const file = params?.plan?.database;
  if (!file) throw engineError('bad-request', '', 'params.plan.database must be a database path');
  ctx.closeDatabase(file);
  try { return executeCleanup(sql(), params, { enterCommit: () => ctx.enterCommit() }); } finally { ctx.closeDatabase(file); }
}

function undo(params: UndoParams, ctx: HandlerContext): CleanupReport {
  ctx.closeDatabase(params.path);
  try { return undoCleanup(sql(), params, { enterCommit: () => ctx.enterCommit() }); } finally { ctx.closeDatabase(params.path); }
}

/** `since`: when the cancelled write started; its archive (if any) is marked as never applied. */
export interface RecoverParams { path: string; archiveDirectory?: string; since?: string }

/**
 * After a cancelled cleanup or undo (the worker was terminated mid-transaction) the database keeps
 * a hot journal. With no other process holding the files, opening it read-write makes SQLite roll
 * the journal back, restoring the database exactly as it was before. A terminated write never
 * passed its commit point (EngineClient), so an archive it left says "failed", not "archived".
 */
function recover(params: RecoverParams, ctx: HandlerContext): { recovered: boolean; message: string } {
  const file = params.path;
  ctx.closeDatabase(file);
  if (params.since) {
    for (const m of listManifests(file, params.archiveDirectory)) {
      if (m.manifest.status === 'archived' && m.manifest.time >= params.since) {
        writeManifest(m.file, { ...m.manifest, status: 'failed', error: 'cancelled before it was applied; the database was not changed' });
      }
    }
  }
  if (!fs.existsSync(`${hostPath(file)}-journal`)) return { recovered: false, message: 'nothing to recover: no -journal beside the database' };
  const check = preflight(file, { ownJournal: true });
  if (!check.ok) return { recovered: false, message: `not recovered: ${check.reason ?? 'another process holds the database'}` };
  const session = openWriteSession(sql(), file, { allowWal: false, rollBackHotJournal: true });
  try { session.all('SELECT count(*) FROM sqlite_schema'); } finally { session.close(); }
  const left = fs.existsSync(`${hostPath(file)}-journal`);
  return { recovered: !left, message: left ? 'the -journal is still there; open the database with sqlite3 to roll it back' : 'rolled back the interrupted cleanup; the database is as it was before' };
}

Object.assign(handlers, {
  recover,
  cleanupPlan: plan,
  cleanupPreflight: (params: { path: string }) => preflight(params.path),
  cleanupExecute: execute,
  undoInfo: (params: { path: string; archiveDirectory?: string }) => undoInfo(sql(), params.path, params.archiveDirectory),
  undo,
});
