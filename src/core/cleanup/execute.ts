// Execute a confirmed plan: preflight → re-plan (refuse if anything differs from what the user
// confirmed) → archive in its own committed transaction → one main transaction (BEGIN IMMEDIATE,
// materialise every selection parents-first, DELETE children-first and UPDATE, each statement's
// changes() compared with the plan, table totals compared, ROLLBACK on any difference) → close →
// verify on a fresh read-only connection → report. A kill at any point leaves either the old
// database (the journal rolls back) or the new one; the archive manifest says which.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../db/errors';
import { openDatabaseSync } from '../db/open';
import type { SqlJs } from '../db/sqljs';
import type { SqlDatabase, SqlValue } from '../db/types';
import { openWriteSession, type WriteSession } from '../db/write';
import { defaultOptions, type DoctorOptions } from '../doctor/options';
import type { ProfileSpec } from '../profiles/spec';
import {
  ARCHIVE_ROWID, archiveTableSql, describeTable, newArchiveFolder, rowHashes, writeManifest, type ArchivedTable, type Manifest,
} from './archive';
import { dbFingerprint } from './fingerprint';
import { closeWrite, guardWrite } from './write-guard';
import { buildPlan, type BuiltPlan } from './plan';
import { preflight } from './preflight';
import { expr, paramsFor, q } from './sql';
import { applyStatements, materialiseStatements } from './statements';
import type { CleanupPlan, CleanupReport, ExecuteParams, TableChange } from './types';
import { changeText } from './describe';

export interface ExecuteHooks {
  /** Right after the write session opened (tests: a tiny cache so dirty pages spill early). */
  onOpen?(session: WriteSession): void;
  /** After each statement of the main transaction (tests: kill the process in the middle). */
  onStatement?(phase: 'select' | 'apply', table: string, session: WriteSession): void;
  /** Checked between statements: true rolls back and stops with 'cancelled'. */
  cancelled?(): boolean;
  /** Right before COMMIT: false rolls back as cancelled; after true nothing may cancel (engine worker). */
  enterCommit?(): boolean;
  /** Preflight options (tests). */
  ignorePids?: number[];
}

export const PLAN_CHANGED = 'The database changed since you confirmed; review the new plan.';

const refusedError = (file: string, message: string, detail?: string) => new EngineError('busy-writer', message, detail ?? file);

export function executeCleanup(SQL: SqlJs, params: ExecuteParams, hooks: ExecuteHooks = {}): CleanupReport {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  let mark = t0;
  const lap = (name: string) => { const t = Date.now(); timings[name] = t - mark; mark = t; };
  const confirmed = params.plan;
  const file = path.resolve(confirmed.database);
  if (confirmed.refusal) throw new EngineError('bad-request', confirmed.refusal);
  const options: DoctorOptions = params.options ?? { ...(confirmed.options ?? defaultOptions()), now: Date.now() };
  const profiles: ProfileSpec[] = params.profiles ?? confirmed.profiles ?? [];

  const pf = preflight(file, hooks.ignorePids ? { ignorePids: hooks.ignorePids } : {});
  if (!pf.ok) throw refusedError(file, `Not cleaning up: ${pf.reason}`, JSON.stringify(pf.holders));
  const fpBefore = dbFingerprint(file);
  if (fpBefore !== confirmed.fingerprint) throw new EngineError('changed-while-open', PLAN_CHANGED, 'the file was written after the plan was made');

  const session = openWriteSession(SQL, file, { allowWal: true });
  const checkBeforeBegin = guardWrite(session, file, fpBefore,
    () => new EngineError('changed-while-open', `${PLAN_CHANGED} (another program wrote the file while the cleanup was prepared)`));
  let built: BuiltPlan;
  let manifest: Manifest | undefined;
  let manifestFile: string | undefined;
  let archiveFile: string | undefined;
  const deletedRowids = new Map<string, string>();
  const archivedRowids = new Map<string, string>();
  let totalsBefore: Record<string, number> = {};
  let expBefore = new Map<string, number>();
  const expDeleted = new Map<string, number>();
  const writtenHashes = new Map<string, Record<string, string>>();
  let committed = false;
  const afterCommit: string[] = []; // problems past COMMIT: reported, never thrown (the change is made)
  const saveAfterCommit = (f: string, m: Manifest) => {
    try { writeManifest(f, m); } catch (e) { afterCommit.push(`the archive's manifest could not be updated (${e instanceof Error ? e.message : String(e)}), so Undo may not offer this cleanup`); }
  };
  try {
    session.exec('PRAGMA foreign_keys = OFF'); // cascades are the plan's, explicitly
    hooks.onOpen?.(session);
    built = buildPlan(session, { action: confirmed.action, target: confirmed.target, options, profiles, hardDelete: confirmed.hardDelete }, { fingerprint: fpBefore });
    lap('plan');
    const diff = comparePlans(built.plan, confirmed);
    if (diff) throw new EngineError('changed-while-open', `${PLAN_CHANGED} (${diff})`, diff);
    if (built.plan.refusal) throw new EngineError('bad-request', built.plan.refusal);
    if (!built.ops.length || built.plan.totalRows === 0) {
      return { plan: built.plan, changes: [], verified: true, elapsedMs: Date.now() - t0, message: 'Nothing to clean up: the plan matches no rows.', timings };
    }
    totalsBefore = tableTotals(session);
    expBefore = experimentCounts(session, built);

    // 1. Archive: its own transaction, committed before the database is touched.
    if (params.archive) {
      const dir = newArchiveFolder(file, confirmed.action, new Date(), params.archiveDirectory);
      archiveFile = path.join(dir, 'archive.sqlite');
      manifestFile = path.join(dir, 'manifest.json');
      session.attach(archiveFile, 'eh_archive');
      const tables = writeArchive(session, built, hooks);
      // Detached before the main transaction: with two databases in one BEGIN IMMEDIATE, SQLite
      // commits through a super-journal, and a transaction should only ever write the database.
      for (const op of built.ops) {
        archivedRowids.set(op.table, session.get<{ j: string }>(`SELECT json_group_array(${q(ARCHIVE_ROWID)}) AS j FROM eh_archive.${q(op.table)}`)?.j ?? '[]');
      }
      session.detach('eh_archive');
      const id = fs.statSync(file);
      manifest = {
        version: 1, database: file, identity: { dev: id.dev, ino: id.ino }, action: confirmed.action, title: built.plan.title,
        target: confirmed.target, runIds: built.plan.runIds, changes: built.plan.changes, time: new Date().toISOString(),
        status: 'archived', fingerprintBefore: fpBefore, archive: 'archive.sqlite', tables, plan: { ...built.plan, sql: '' },
      };
      writeManifest(manifestFile, manifest);
      lap('archive');
    }

    // 2. The main transaction, on the file exactly as planned and archived.
    try {
      checkBeforeBegin();
      session.exec('BEGIN IMMEDIATE');
      const m = materialiseStatements(built);
      for (const c of m.create) session.exec(c);
      for (const st of m.fill) {
        run(session, st.sql, built.params);
        const n = session.get<{ n: number }>(`SELECT count(*) AS n FROM temp.eh_sel_${built.ops.findIndex((o) => o.table === st.table)}`)?.n ?? -1;
        if (n !== st.expect) throw new EngineError('changed-while-open', `${PLAN_CHANGED} (${st.table}: ${n} rows now, ${st.expect} planned)`);
        hooks.onStatement?.('select', st.table, session);
        checkCancel(hooks);
      }
      built.ops.forEach((op, i) => {
        if (params.archive) {
          const missing = session.get<{ n: number }>(`SELECT count(*) AS n FROM temp.eh_sel_${i} WHERE rid NOT IN (SELECT value FROM json_each(?))`, [archivedRowids.get(op.table) ?? '[]'])?.n ?? 1;
          if (missing) throw new EngineError('internal', `${missing} ${op.table} rows are not in the archive; nothing was changed.`);
        }
        deletedRowids.set(op.table, session.get<{ j: string }>(`SELECT json_group_array(rid) AS j FROM temp.eh_sel_${i}`)?.j ?? '[]');
      });
      const runsIndex = built.ops.findIndex((o) => o.table === built.profile?.runs.table && o.kind === 'delete');
      if (runsIndex >= 0 && built.profile?.runs.experimentId) {
        for (const r of session.all<{ e: SqlValue; n: number }>(`SELECT ${expr(built.profile.runs.experimentId)} AS e, count(*) AS n FROM ${q(built.profile.runs.table)} t WHERE t.rowid IN (SELECT rid FROM temp.eh_sel_${runsIndex}) GROUP BY 1`)) {
          expDeleted.set(String(r.e), r.n);
        }
      }
      for (const st of applyStatements(built)) {
        run(session, st.sql, built.params);
        const n = session.changes();
        if (n !== st.expect) throw new EngineError('changed-while-open', `${PLAN_CHANGED} (${st.table}: ${n} rows ${st.what}, ${st.expect} planned)`);
        hooks.onStatement?.('apply', st.table, session);
        checkCancel(hooks);
      }
      const expected = expectedTotals(totalsBefore, built.plan.changes);
      const now = tableTotals(session);
      const off = Object.keys(expected).filter((t) => now[t] !== expected[t]);
      if (off.length) throw new EngineError('internal', `Row counts differ from the plan in ${off.join(', ')}; nothing was changed.`);
      // What Undo will require of the changed rows: their values as this transaction leaves them.
      for (const t of manifest?.tables ?? []) if (t.kind === 'update') writtenHashes.set(t.table, rowHashes(session, t.table, t.columns, deletedRowids.get(t.table) ?? '[]'));
      const again = preflight(file, { ownJournal: true, ...(hooks.ignorePids ? { ignorePids: hooks.ignorePids } : {}) });
      if (!again.ok) throw refusedError(file, `Not cleaning up: ${again.reason}`, JSON.stringify(again.holders));
      for (let i = 0; i < built.ops.length; i++) session.exec(`DROP TABLE temp.eh_sel_${i}`);
      if (hooks.enterCommit && !hooks.enterCommit()) throw new EngineError('cancelled', 'The cleanup was cancelled; nothing was changed.');
      session.exec('COMMIT');
      committed = true;
    } catch (e) {
      try { session.exec('ROLLBACK'); } catch { /* the error below says enough */ }
      if (manifest && manifestFile) writeManifest(manifestFile, { ...manifest, status: 'failed', error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    lap('transaction');
    if (manifest && manifestFile) {
      // Applied, with what Undo needs, before anything else can fail.
      manifest = { ...manifest, status: 'applied', tables: manifest.tables.map((t) => (writtenHashes.has(t.table) ? { ...t, afterHashes: writtenHashes.get(t.table) } : t)) };
      saveAfterCommit(manifestFile, manifest);
    }
  } finally {
    closeWrite(session, committed, afterCommit); // WAL: checkpoints the -wal into the database and deletes it
  }
  lap('close');

  // 3. Verify on a fresh read-only connection (the way every later read sees the file).
  let verify: { problems: string[]; tables?: ArchivedTable[] };
  try {
    verify = verifyApplied(SQL, file, built, deletedRowids, totalsBefore, expBefore, expDeleted, manifest?.tables, writtenHashes);
  } catch (e) {
    verify = { problems: [`could not verify the committed change (${e instanceof Error ? e.message : String(e)})`] };
  }
  lap('verify');
  if (manifest && manifestFile) {
    manifest = { ...manifest, status: 'applied', fingerprintAfter: dbFingerprint(file), tables: verify.tables ?? manifest.tables };
    saveAfterCommit(manifestFile, manifest);
  }
  verify.problems.unshift(...afterCommit);
  const changes: TableChange[] = built.plan.changes.map((c) => ({ ...c }));
  const report: CleanupReport = {
    plan: built.plan, changes, verified: verify.problems.length === 0, elapsedMs: Date.now() - t0,
    message: summary(built.plan, changes, verify.problems, archiveFile), timings,
  };
  if (archiveFile && manifestFile) report.archive = { file: archiveFile, manifest: manifestFile };
  return report;
}

function run(db: SqlDatabase, sql: string, values: SqlValue[]): void {
  const p = paramsFor(sql, values);
  if (p.length) db.all(sql, p); else db.exec(sql);
}

function checkCancel(hooks: ExecuteHooks): void {
  if (hooks.cancelled?.()) throw new EngineError('cancelled', 'The cleanup was cancelled; nothing was changed.');
}

/** Copies every row about to change into the attached archive, in one committed transaction. */
function writeArchive(session: WriteSession, built: BuiltPlan, hooks: ExecuteHooks): ArchivedTable[] {
  const tables: ArchivedTable[] = [];
  session.exec('BEGIN'); // writes only the archive; the database is read
  try {
    const m = materialiseStatements(built, 'eh_arc');
    for (const c of m.create) session.exec(c);
    for (const st of m.fill) run(session, st.sql, built.params);
    built.ops.forEach((op, i) => {
      const t = describeTable(session, op.table, op.kind, built.counts[op.table] ?? 0);
      session.exec(archiveTableSql('eh_archive', op.table, t.columns));
      const cols = t.columns.map(q).join(', ');
      session.exec(`INSERT INTO eh_archive.${q(op.table)} (${q(ARCHIVE_ROWID)}, ${cols}) SELECT rowid, ${cols} FROM main.${q(op.table)} WHERE rowid IN (SELECT rid FROM temp.eh_arc_${i}) ORDER BY rowid`);
      const n = session.changes();
      if (n !== t.rows) throw new EngineError('changed-while-open', `${PLAN_CHANGED} (${op.table}: ${n} rows to archive, ${t.rows} planned)`);
      tables.push(t);
      checkCancel(hooks);
    });
    session.exec('CREATE TABLE eh_archive.eh_manifest (key TEXT PRIMARY KEY, value TEXT)');
    session.all('INSERT INTO eh_archive.eh_manifest VALUES (?, ?), (?, ?)', ['tables', JSON.stringify(tables), 'plan', JSON.stringify(built.plan)]);
    for (let i = 0; i < built.ops.length; i++) session.exec(`DROP TABLE temp.eh_arc_${i}`);
    session.exec('COMMIT');
  } catch (e) {
    try { session.exec('ROLLBACK'); } catch { /* keep the first error */ }
    throw e;
  }
  return tables;
}

/** Same runs (as sets) and the same rows per table: otherwise the user did not confirm this. */
export function comparePlans(fresh: CleanupPlan, confirmed: CleanupPlan): string | undefined {
  if (fresh.fingerprint !== confirmed.fingerprint) return 'the file was written after the plan was made';
  const a = [...fresh.runIds].sort(), b = [...confirmed.runIds].sort();
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    const added = a.filter((x) => !b.includes(x)), gone = b.filter((x) => !a.includes(x));
    return `runs differ: ${added.length} would be added, ${gone.length} are no longer targeted`;
  }
  const key = (c: TableChange[]) => c.filter((x) => x.deleted || x.updated).map((x) => `${x.table}:${x.deleted}:${x.updated}`).sort().join(',');
  if (key(fresh.changes) !== key(confirmed.changes)) return `row counts differ: now ${key(fresh.changes)}, confirmed ${key(confirmed.changes)}`;
  return undefined;
}

export function tableTotals(db: SqlDatabase): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of db.tables()) out[t] = db.get<{ n: number }>(`SELECT count(*) AS n FROM main.${q(t)}`)?.n ?? 0;
  return out;
}

function expectedTotals(before: Record<string, number>, changes: TableChange[]): Record<string, number> {
  const out = { ...before };
  for (const c of changes) out[c.table] = (out[c.table] ?? 0) - c.deleted;
  return out;
}

function experimentCounts(db: SqlDatabase, built: BuiltPlan): Map<string, number> {
  const p = built.profile;
  if (!p?.runs.experimentId) return new Map();
  return new Map(db.all<{ e: SqlValue; n: number }>(`SELECT ${expr(p.runs.experimentId)} AS e, count(*) AS n FROM ${q(p.runs.table)} t GROUP BY 1`)
    .map((r) => [String(r.e), r.n]));
}

function verifyApplied(
  SQL: SqlJs, file: string, built: BuiltPlan, rowids: Map<string, string>, totalsBefore: Record<string, number>,
  expBefore: Map<string, number>, expDeleted: Map<string, number>, archived?: ArchivedTable[], written = new Map<string, Record<string, string>>(),
): { problems: string[]; tables?: ArchivedTable[] } {
  const problems: string[] = [];
  const db = openDatabaseSync(SQL, file);
  try {
    for (const op of built.ops) {
      const json = rowids.get(op.table) ?? '[]';
      if (op.kind === 'delete') {
        const left = db.get<{ n: number }>('SELECT count(*) AS n FROM ' + q(op.table) + ' WHERE rowid IN (SELECT value FROM json_each(?))', [json])?.n ?? 0;
        if (left) problems.push(`${left} ${op.table} rows are still there`);
      } else {
        const col = op.set?.[0];
        const n = db.get<{ n: number }>('SELECT count(*) AS n FROM ' + q(op.table) + ' WHERE rowid IN (SELECT value FROM json_each(?))', [json])?.n ?? 0;
        if (n !== built.counts[op.table]) problems.push(`${op.table}: ${n} of ${built.counts[op.table]} changed rows found`);
        void col;
      }
    }
    const expected = expectedTotals(totalsBefore, built.plan.changes);
    const now = tableTotals(db);
    for (const t of Object.keys(expected)) if (now[t] !== expected[t]) problems.push(`${t} has ${now[t]} rows, expected ${expected[t]}`);
    const expNow = experimentCounts(db, built);
    for (const [e, n] of expBefore) {
      const want = n - (expDeleted.get(e) ?? 0);
      if ((expNow.get(e) ?? 0) !== want) problems.push(`experiment ${e} has ${expNow.get(e) ?? 0} runs, expected ${want}`);
    }
    const tables = archived?.map((t) => {
      if (t.kind !== 'update') return t;
      const now = rowHashes(db, t.table, t.columns, rowids.get(t.table) ?? '[]');
      const ours = written.get(t.table) ?? now;
      const moved = Object.keys(ours).filter((r) => now[r] !== ours[r]).length;
      if (moved) problems.push(`${moved} ${t.table} row${moved === 1 ? ' was' : 's were'} changed again right after the cleanup (by another program?)`);
      // Undo restores a row only while it still holds what this cleanup wrote, never a later change.
      return { ...t, afterHashes: ours };
    });
    return tables ? { problems, tables } : { problems };
  } finally { db.close(); }
}

function summary(plan: CleanupPlan, changes: TableChange[], problems: string[], archive?: string): string {
  const parts = changes.filter((c) => c.deleted || c.updated)
    .map((c) => `${c.table} ${changeText(c)}`);
  const head = `${plan.title.replace(/…$/, '')}: done (${parts.join('; ')}).`;
  const arch = archive ? ` Archived to ${path.dirname(archive)}; "Undo Last Cleanup" restores it.` : ' Not archived.';
  const ver = problems.length ? ` VERIFY FAILED: ${problems.join('; ')}.` : ' Verified.';
  return `${head}${ver}${arch}`;
}
