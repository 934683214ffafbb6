// A consistent copy of a DuckDB file and its .wal (egregora's runs database is small): copied
// while neither file changes (size and mtime before and after), retried otherwise. A reader of
// the copy is never torn by a live writer's checkpoint; a bigger file is read in place and the
// read retried instead (reference/duckdb-wasm.md, "Concurrency").
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Files up to this size (main + .wal) are read from a snapshot copy. */
export const SNAPSHOT_MAX_BYTES = 256 * 1024 * 1024;

export interface FileVersion { size: number; mtimeMs: number; walSize: number; walMtimeMs: number }

export function fileVersion(file: string): FileVersion {
  const s = fs.statSync(file);
  let walSize = -1, walMtimeMs = 0;
  try { const w = fs.statSync(`${file}.wal`); walSize = w.size; walMtimeMs = w.mtimeMs; } catch { /* no .wal */ }
  return { size: s.size, mtimeMs: s.mtimeMs, walSize, walMtimeMs };
}

export const sameVersion = (a: FileVersion, b: FileVersion): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.walSize === b.walSize && a.walMtimeMs === b.walMtimeMs;

export interface Snapshot { file: string; version: FileVersion; attempts: number; dispose(): void }

/** Copies `file` (+ `.wal`) into a private temp folder; undefined when it kept changing. */
export function snapshot(file: string, attempts = 5, pauseMs = 50): Snapshot | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-duckdb-'));
  const copy = path.join(dir, path.basename(file));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  for (let i = 1; i <= attempts; i++) {
    const before = fileVersion(file);
    fs.copyFileSync(file, copy);
    if (before.walSize >= 0) { try { fs.copyFileSync(`${file}.wal`, `${copy}.wal`); } catch { /* removed by a checkpoint meanwhile */ } }
    else fs.rmSync(`${copy}.wal`, { force: true });
    const after = fileVersion(file);
    if (sameVersion(before, after)) return { file: copy, version: after, attempts: i, dispose };
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs * i);
  }
  dispose();
  return undefined;
}
