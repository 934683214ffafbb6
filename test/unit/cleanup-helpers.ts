// Shared by the cleanup tests: fixture files on disk, exact row hashes read by python3's sqlite3
// (not by the engine under test), and one plan → execute → undo round trip with its checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPlan, type BuiltPlan } from '../../src/core/cleanup/plan';
import { executeCleanup } from '../../src/core/cleanup/execute';
import { undoCleanup } from '../../src/core/cleanup/undo';
import type { CleanupAction, CleanupReport, CleanupTarget } from '../../src/core/cleanup/types';
import { openDatabaseSync } from '../../src/core/db/open';
import { loadSqlJs, type SqlJs } from '../../src/core/db/sqljs';
import type { DoctorOptions } from '../../src/core/doctor/options';
import type { ProfileSpec } from '../../src/core/profiles/spec';

export const NOW = new Date('2025-11-20T12:00:00Z');
export const OPTIONS: DoctorOptions = { now: NOW.getTime(), staleAfterMinutes: 60, naive: { zone: 'utc' } };

export function tmpDir(tag: string): string { return fs.mkdtempSync(path.join(os.tmpdir(), `eh-cleanup-${tag}-`)); }

/** Writes fixture bytes to a fresh file (nothing beside it). */
export function writeDb(dir: string, name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const HASHER = String.raw`
import sqlite3, sys, json, hashlib
c = sqlite3.connect(sys.argv[1])
out = {}
for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
    rows = {}
    for r in c.execute('SELECT rowid, * FROM "%s" ORDER BY rowid' % t.replace('"', '""')):
        rows[str(r[0])] = hashlib.sha256(repr(tuple((type(v).__name__, v) for v in r[1:])).encode()).hexdigest()[:20]
    out[t] = rows
c.close()
print(json.dumps(out))
`;

export type Hashes = Record<string, Record<string, string>>;

/** Every row of every table: rowid → hash of its exact values and types (python3 sqlite3). */
export function rowHashes(file: string): Hashes {
  return JSON.parse(execFileSync('python3', ['-c', HASHER, file], { encoding: 'utf8', maxBuffer: 1 << 28 })) as Hashes;
}

export const sqlite3 = (file: string, sql: string): string => execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
export const py = (code: string, ...args: string[]): string => execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' }).trim();

export async function plan(file: string, action: CleanupAction, target: Partial<CleanupTarget> = {}, options = OPTIONS, profiles?: ProfileSpec[]): Promise<BuiltPlan> {
  const SQL = await loadSqlJs();
  const db = openDatabaseSync(SQL, file);
  try { return buildPlan(db, { action, target: { path: file, ...target }, options, ...(profiles ? { profiles } : {}) }); } finally { db.close(); }
}

export interface RoundTrip { built: BuiltPlan; report: CleanupReport; before: Hashes; after: Hashes; SQL: SqlJs }

/**
 * Plans, executes (archive on) and checks: the rows each table lost or changed are exactly the
 * plan's counts, no row appeared, every other row is byte-identical, integrity is ok; then undoes
 * and checks every row of every table is back exactly.
 */
export async function roundTrip(file: string, action: CleanupAction, target: Partial<CleanupTarget> = {}, opts: { undo?: boolean; minRows?: number } = {}): Promise<RoundTrip> {
  const SQL = await loadSqlJs();
  const before = rowHashes(file);
  const built = await plan(file, action, target);
  assert.equal(built.plan.refusal, undefined, `no refusal: ${built.plan.refusal}`);
  assert.ok(built.plan.totalRows >= (opts.minRows ?? 1), `the plan has rows (${built.plan.totalRows})`);
  const report = executeCleanup(SQL, { plan: built.plan, archive: true, options: OPTIONS });
  assert.ok(report.verified, report.message);
  assert.equal(sqlite3(file, 'PRAGMA integrity_check'), 'ok');
  for (const s of ['-journal', '-wal', '-shm']) assert.ok(!fs.existsSync(file + s), `no ${s} left`);
  const after = rowHashes(file);
  const planned = new Map(built.plan.changes.map((c) => [c.table, c]));
  for (const table of Object.keys(before)) {
    const b = before[table]!, a = after[table] ?? {};
    const deleted = Object.keys(b).filter((r) => !(r in a)).length;
    const added = Object.keys(a).filter((r) => !(r in b)).length;
    const changed = Object.keys(b).filter((r) => r in a && a[r] !== b[r]).length;
    const c = planned.get(table) ?? { deleted: 0, updated: 0 };
    assert.equal(added, 0, `${table}: no rows added`);
    assert.equal(deleted, c.deleted, `${table}: rows deleted = planned`);
    assert.equal(changed, c.updated, `${table}: rows changed = planned`);
  }
  assert.deepEqual(report.changes, built.plan.changes);
  if (opts.undo !== false) {
    assert.ok(report.archive, 'archived');
    const undone = undoCleanup(SQL, { path: file, archive: report.archive!.manifest });
    assert.ok(undone.verified, undone.message);
    assert.equal(sqlite3(file, 'PRAGMA integrity_check'), 'ok');
    assert.deepEqual(rowHashes(file), before, 'undo restores every row exactly');
  }
  return { built, report, before, after, SQL };
}
