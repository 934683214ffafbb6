// Undo the last cleanup: put the archived rows back exactly (same rowids, same values), and the
// changed rows' old values, in one transaction after the same preflight. Refuses clearly when a
// restored row's key exists again, when a changed row was changed again since, or when the
// table's columns are no longer the archived ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../db/errors';
import { openDatabaseSync } from '../db/open';
import type { SqlJs } from '../db/sqljs';
import type { SqlDatabase } from '../db/types';
import { openWriteSession } from '../db/write';
import {
  ARCHIVE_ROWID, listManifests, readManifest, rowHashes, rowTextSql, tableHash, writeManifest, type ArchivedTable, type Manifest,
} from './archive';
import { dbFingerprint } from './fingerprint';
import { closeWrite, guardWrite } from './write-guard';
import { preflight } from './preflight';
import { q } from './sql';
import type { CleanupReport, UndoInfo } from './types';
import { changeText, UNDO_WORDS } from './describe';

export interface UndoParams { path: string; archive: string }

/** The newest cleanup of `database` that can be undone (or the reason it cannot). */
export function lastCleanup(database: string, archiveDirectory?: string): { file: string; manifest: Manifest } | { refusal: string; file: string; manifest: Manifest } | undefined {
  const all = listManifests(database, archiveDirectory).filter((m) => m.manifest.status !== 'failed');
  const newest = all[0];
  if (!newest) return undefined;
  if (newest.manifest.status === 'archived') {
    return { ...newest, refusal: `the cleanup of ${newest.manifest.time} was interrupted before it was confirmed applied; check the database before undoing anything by hand (its archive is ${path.dirname(newest.file)})` };
  }
  return all.find((m) => m.manifest.status === 'applied');
}

export function undoInfo(SQL: SqlJs, database: string, archiveDirectory?: string): UndoInfo | null {
  const abs = path.resolve(database);
  const found = lastCleanup(abs, archiveDirectory);
  if (!found) return null;
  const m = found.manifest;
  const info: UndoInfo = { database: abs, archive: found.file, action: m.action, title: m.title, time: m.time, changes: m.changes };
  if ('refusal' in found) return { ...info, refusal: found.refusal };
  const refusal = checkRestorable(SQL, abs, found.file, m);
  return refusal ? { ...info, refusal } : info;
}

/** Read-only: two connections (database, archive), keys compared through JSON parameters. */
function checkRestorable(SQL: SqlJs, database: string, manifestFile: string, m: Manifest): string | undefined {
  const id = fs.statSync(database);
  if (id.ino !== m.identity.ino || id.dev !== m.identity.dev) return 'the database file was replaced since the cleanup';
  const archiveFile = path.join(path.dirname(manifestFile), m.archive);
  if (!fs.existsSync(archiveFile)) return `its archive ${archiveFile} is gone`;
  const db = openDatabaseSync(SQL, database);
  const archive = openDatabaseSync(SQL, archiveFile);
  try { return conflicts(db, archive, 'main', m.tables); } finally { archive.close(); db.close(); }
}

/** Why the archived rows cannot go back (keys taken again, rows changed since, columns differ). */
export function conflicts(db: SqlDatabase, archive: SqlDatabase, schema: string, tables: ArchivedTable[]): string | undefined {
  const problems: string[] = [];
  const present = new Set(db.tables());
  for (const t of tables) {
    if (!present.has(t.table)) { problems.push(`table ${t.table} no longer exists`); continue; }
    const cols = db.columns(t.table).map((c) => c.name);
    if (cols.join('\u0000') !== t.columns.join('\u0000')) { problems.push(`${t.table} has different columns now`); continue; }
    const rowids = archive.get<{ j: string }>(`SELECT json_group_array(${q(ARCHIVE_ROWID)}) AS j FROM ${schema}.${q(t.table)}`)?.j ?? '[]';
    if (t.kind === 'delete') {
      const taken = db.get<{ n: number }>(`SELECT count(*) AS n FROM main.${q(t.table)} WHERE rowid IN (SELECT value FROM json_each(?))`, [rowids])?.n ?? 0;
      if (taken) { problems.push(`${taken} ${t.table} row${taken === 1 ? '' : 's'} with the same row ids exist again`); continue; }
      for (const idx of uniqueIndexes(db, t.table)) {
        if (idx.some((c) => !t.columns.includes(c))) continue;
        const blobs = archive.get<{ n: number }>(`SELECT count(*) AS n FROM ${schema}.${q(t.table)} WHERE ${idx.map((c) => `typeof(${q(c)}) = 'blob'`).join(' OR ')}`)?.n ?? 0;
        if (blobs) continue; // the INSERT would still fail (and roll back) on a conflict
        const keys = archive.get<{ j: string }>(`SELECT json_group_array(json_array(${idx.map(q).join(', ')})) AS j FROM ${schema}.${q(t.table)}`)?.j ?? '[]';
        const n = db.get<{ n: number }>(`SELECT count(*) AS n FROM json_each(?) k WHERE EXISTS (SELECT 1 FROM main.${q(t.table)} m WHERE `
          + `${idx.map((c, i) => `m.${q(c)} = json_extract(k.value, '$[${i}]')`).join(' AND ')})`, [keys])?.n ?? 0;
        if (n) { problems.push(`${n} ${t.table} row${n === 1 ? '' : 's'} with the same ${idx.join(', ')} exist again`); break; }
      }
    } else {
      const now = rowHashes(db, t.table, t.columns, rowids);
      const changed = Object.keys(t.afterHashes ?? {}).filter((r) => now[r] !== t.afterHashes![r]).length
        + Math.max(0, t.rows - Object.keys(t.afterHashes ?? {}).length);
      if (changed) problems.push(`${changed} ${t.table} row${changed === 1 ? ' was' : 's were'} changed or deleted since the cleanup`);
    }
  }
  return problems.length ? `${problems.join('; ')}.` : undefined;
}

function uniqueIndexes(db: SqlDatabase, table: string): string[][] {
  const out: string[][] = [];
  for (const i of db.all<{ name: string; partial: number }>(`SELECT name, partial FROM pragma_index_list(?) WHERE "unique" = 1`, [table])) {
    if (i.partial) continue;
    const cols = db.all<{ name: string | null }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [i.name]).map((c) => c.name);
    if (cols.length && cols.every((c): c is string => !!c)) out.push(cols);
  }
  return out;
}

export interface UndoHooks {
  ignorePids?: number[];
  /** Right after the write session opened and was checked (tests: another program writes). */
  onOpen?(): void;
  /** Right before COMMIT: false rolls back as cancelled; after true nothing may cancel (engine worker). */
  enterCommit?(): boolean;
}

export function undoCleanup(SQL: SqlJs, params: UndoParams, hooks: UndoHooks = {}): CleanupReport {
  const t0 = Date.now();
  const file = path.resolve(params.path);
  const m = readManifest(params.archive);
  if (!m) throw new EngineError('bad-request', `There is no cleanup archive at ${params.archive}.`);
  if (path.resolve(m.database) !== file) throw new EngineError('bad-request', `That archive belongs to ${m.database}, not ${file}.`);
  if (m.status !== 'applied') throw new EngineError('bad-request', m.status === 'undone' ? 'That cleanup was already undone.' : `That cleanup was not applied (${m.status}); there is nothing to undo.`);
  const pf = preflight(file, hooks.ignorePids ? { ignorePids: hooks.ignorePids } : {});
  if (!pf.ok) throw new EngineError('busy-writer', `Not undoing: ${pf.reason}`, JSON.stringify(pf.holders));
  const id = fs.statSync(file);
  if (id.ino !== m.identity.ino || id.dev !== m.identity.dev) throw new EngineError('bad-request', 'Cannot undo: the database file was replaced since the cleanup.');

  const archiveFile = path.join(path.dirname(params.archive), m.archive);
  if (!fs.existsSync(archiveFile)) throw new EngineError('bad-request', `Cannot undo: its archive ${archiveFile} is gone.`);
  const checked = dbFingerprint(file);
  const session = openWriteSession(SQL, file, { allowWal: true });
  const checkBeforeBegin = guardWrite(session, file, checked,
    () => new EngineError('busy-writer', 'Not undoing: another program wrote the database just now; nothing was changed. Try again when it has stopped.'));
  const expected = new Map<string, { rowids: string; hash: string }>();
  let committed = false;
  const problems: string[] = []; // past COMMIT: reported, never thrown (the rows are back)
  try {
    session.exec('PRAGMA foreign_keys = OFF');
    hooks.onOpen?.();
    session.attach(archiveFile, 'eh_archive');
    const refusal = conflicts(session, session, 'eh_archive', m.tables);
    if (refusal) throw new EngineError('bad-request', `Cannot undo: ${refusal}`);
    const before: Record<string, number> = {};
    for (const t of m.tables) before[t.table] = session.get<{ n: number }>(`SELECT count(*) AS n FROM main.${q(t.table)}`)?.n ?? 0;
    // Deferred, not IMMEDIATE: IMMEDIATE would open a write transaction on the attached archive
    // too, and SQLite would then commit through a super-journal beside the database. The first
    // INSERT takes the write lock on the database alone (the preflight made sure we are alone).
    checkBeforeBegin();
    session.exec('BEGIN');
    try {
      for (const t of m.tables) { // parents first
        const cols = t.columns.map(q).join(', ');
        if (t.kind === 'delete') {
          const withRowid = !t.rowidAlias;
          session.exec(`INSERT INTO main.${q(t.table)} (${withRowid ? 'rowid, ' : ''}${cols}) SELECT ${withRowid ? `${q(ARCHIVE_ROWID)}, ` : ''}${cols} FROM eh_archive.${q(t.table)} ORDER BY ${q(ARCHIVE_ROWID)}`);
        } else {
          session.exec(`UPDATE main.${q(t.table)} SET (${cols}) = (SELECT ${cols} FROM eh_archive.${q(t.table)} a WHERE a.${q(ARCHIVE_ROWID)} = ${q(t.table)}.rowid) `
            + `WHERE rowid IN (SELECT ${q(ARCHIVE_ROWID)} FROM eh_archive.${q(t.table)})`);
        }
        const n = session.changes();
        if (n !== t.rows) throw new EngineError('internal', `Undo stopped: ${t.table} ${n} rows restored, ${t.rows} archived; nothing was changed.`);
        const rowids = session.get<{ j: string }>(`SELECT json_group_array(${q(ARCHIVE_ROWID)}) AS j FROM eh_archive.${q(t.table)}`)?.j ?? '[]';
        const h = tableHash(session, `SELECT ${rowTextSql(t.columns)} AS t FROM eh_archive.${q(t.table)} ORDER BY ${q(ARCHIVE_ROWID)}`);
        expected.set(t.table, { rowids, hash: h.hash });
      }
      for (const t of m.tables) {
        const now = session.get<{ n: number }>(`SELECT count(*) AS n FROM main.${q(t.table)}`)?.n ?? 0;
        const want = before[t.table]! + (t.kind === 'delete' ? t.rows : 0);
        if (now !== want) throw new EngineError('internal', `Undo stopped: ${t.table} would have ${now} rows, expected ${want}; nothing was changed.`);
      }
      const again = preflight(file, { ownJournal: true, ...(hooks.ignorePids ? { ignorePids: hooks.ignorePids } : {}) });
      if (!again.ok) throw new EngineError('busy-writer', `Not undoing: ${again.reason}`);
      if (hooks.enterCommit && !hooks.enterCommit()) throw new EngineError('cancelled', 'Undo was cancelled; nothing was changed.');
      session.exec('COMMIT');
      committed = true;
    } catch (e) {
      try { session.exec('ROLLBACK'); } catch { /* keep the first error */ }
      throw e;
    }
  } finally { closeWrite(session, committed, problems); }

  // Verify on a fresh read-only connection: the restored rows are the archived rows, value for value.
  try {
    const db = openDatabaseSync(SQL, file);
    try {
      for (const t of m.tables) {
        const e = expected.get(t.table)!;
        const h = tableHash(db, `SELECT ${rowTextSql(t.columns)} AS t FROM main.${q(t.table)} WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid`, [e.rowids]);
        if (h.hash !== e.hash || h.rows !== t.rows) problems.push(`${t.table} rows differ from the archive`);
      }
    } finally { db.close(); }
  } catch (e) {
    problems.push(`could not verify the restored rows (${e instanceof Error ? e.message : String(e)})`);
  }
  writeManifest(params.archive, { ...m, status: 'undone', undoneAt: new Date().toISOString(), fingerprintAfter: dbFingerprint(file) });
  const restored = m.changes.filter((c) => c.deleted || c.updated)
    .map((c) => `${c.table} ${changeText(c, UNDO_WORDS)}`);
  return {
    plan: { ...m.plan, title: `Undo: ${m.title}` },
    changes: m.changes,
    verified: problems.length === 0,
    elapsedMs: Date.now() - t0,
    message: `Undid "${m.title}" (${restored.join('; ')}).${problems.length ? ` VERIFY FAILED: ${problems.join('; ')}.` : ' Verified: the rows are back exactly as archived.'}`,
  };
}
