// Reads a DuckDB file strictly read-only: a snapshot copy when it is small (a live writer's
// checkpoint can never tear it), else in place with retries while the file keeps changing. The
// tables are mirrored into an in-memory SQLite copy that the unchanged doctor reads. A trapped
// WebAssembly instance (reference: "wasm traps poison the instance") is rebuilt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, engineError, fromFsError } from '../db/errors';
import type { SqlJs } from '../db/sqljs';
import { createReadOnlyDuckDb, type DuckDb } from './load';
import { mirrorToSqlite, type Mirror } from './mirror';
import { SNAPSHOT_MAX_BYTES, fileVersion, sameVersion, snapshot, type FileVersion } from './snapshot';

export interface DuckRead<T> { value: T; consistent: boolean; message?: string; snapshot: boolean; version: FileVersion; attempts: number }

export interface ReaderOptions { snapshotMaxBytes?: number; attempts?: number; rowCap?: number }

/** DuckDB's magic: bytes 8–11 of the file are 'DUCK'; the storage version is the u64 at 12. */
export function checkDuckDbFile(file: string): { storageVersion: number } {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch (e) { throw fromFsError(e, file); }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw engineError('is-directory', file);
    const head = Buffer.alloc(20);
    const n = fs.readSync(fd, head, 0, 20, 0);
    if (n === 0) throw engineError('empty', file);
    if (n < 20 || head.toString('latin1', 8, 12) !== 'DUCK') {
      throw new EngineError('unsupported', `${path.basename(file)} is not a DuckDB database (no 'DUCK' magic at byte 8). Check the path.`, file);
    }
    return { storageVersion: Number(head.readBigUInt64LE(12)) };
  } finally { fs.closeSync(fd); }
}

/** One error sentence the user can act on. */
export function duckError(e: unknown, file: string): EngineError {
  if (e instanceof EngineError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const name = path.basename(file);
  if (/version number (\d+)/.test(msg) && /newer version/i.test(msg)) {
    return new EngineError('unsupported', `${name} was written by a newer DuckDB than this reader (duckdb-wasm 1.32, DuckDB 1.4) understands. `
      + "Re-save it with STORAGE_VERSION 'v1.4.0' or export the runs table (COPY runs TO 'runs.csv').", msg);
  }
  if (/checksum|Corrupt/i.test(msg)) return new EngineError('busy-writer', `${name} is being written right now (a checkpoint was in progress); retrying shortly.`, msg);
  return new EngineError('io', `${name} could not be read by the DuckDB reader: ${msg.split('\n')[0]}`, msg);
}

export class DuckReader {
  private db: DuckDb | undefined;
  private loading: Promise<DuckDb> | undefined;
  /** Instances built so far (a trap costs one), for tests and the log. */
  instances = 0;

  constructor(private readonly sql: () => SqlJs, private readonly opts: ReaderOptions = {}) {}

  private async instance(): Promise<DuckDb> {
    if (this.db) return this.db;
    this.loading ??= createReadOnlyDuckDb().then((d) => { this.db = d; this.instances++; this.loading = undefined; return d; });
    return this.loading;
  }

  private drop(): void {
    try { this.db?.reset(); } catch { /* poisoned */ }
    this.db = undefined;
  }

  /** Mirrors `file` and runs `fn` on the copy (closed afterwards). */
  async read<T>(file: string, fn: (m: Mirror) => T): Promise<DuckRead<T>> {
    const abs = path.resolve(file);
    checkDuckDbFile(abs);
    const v0 = fileVersion(abs);
    const useSnapshot = v0.size + Math.max(0, v0.walSize) <= (this.opts.snapshotMaxBytes ?? SNAPSHOT_MAX_BYTES);
    const attempts = this.opts.attempts ?? 4;
    let last: unknown;
    for (let i = 1; i <= attempts; i++) {
      const snap = useSnapshot ? snapshot(abs) : undefined;
      if (useSnapshot && !snap) { last = engineError('busy-writer', abs, 'the file kept changing while it was copied'); continue; }
      const source = snap?.file ?? abs;
      const before = snap?.version ?? fileVersion(abs);
      try {
        const db = await this.instance();
        const m = this.mirror(db, source, abs);
        try {
          const after = fileVersion(abs);
          if (!snap && !sameVersion(before, after) && i < attempts) { last = engineError('busy-writer', abs); continue; }
          const consistent = !!snap || sameVersion(before, after);
          const out: DuckRead<T> = { value: fn(m), consistent, snapshot: !!snap, version: before, attempts: i };
          if (!consistent) out.message = `${path.basename(abs)} kept changing while it was read (a writer is active): this result may be incomplete.`;
          return out;
        } finally { m.db.close(); }
      } catch (e) {
        last = e;
        if (e instanceof WebAssembly.RuntimeError || /memory access out of bounds|function signature mismatch|unreachable/i.test(String(e))) this.drop();
      } finally { snap?.dispose(); }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * i);
    }
    throw duckError(last, abs);
  }

  private mirror(db: DuckDb, source: string, display: string): Mirror {
    const conn = db.connect();
    try {
      conn.query(`ATTACH '${source.replace(/'/g, "''")}' AS src (READ_ONLY)`);
      try { return mirrorToSqlite(conn, this.sql(), 'src', display, this.opts.rowCap); } finally {
        try { conn.query('DETACH DATABASE IF EXISTS src'); } catch { /* poisoned instance: dropped by the caller */ }
        // Otherwise the next ATTACH of this path sees the size recorded at the first open.
        for (const f of [source, `${source}.wal`]) { try { db.dropFile(f); } catch { /* not registered */ } }
      }
    } finally { conn.close(); }
  }

  dispose(): void { this.drop(); }
}
