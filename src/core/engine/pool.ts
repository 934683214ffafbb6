// The worker's open databases, by absolute path. Opened lazily; reopened when the file's
// identity (dev/ino/size/mtime, and the -wal's size/mtime) changed since it was opened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConsistent, type ConsistentOptions, type ConsistentResult } from '../db/consistent';
import { engineError, fromFsError } from '../db/errors';
import { sidecar } from '../db/header';
import { openDatabaseSync, type FileDatabase } from '../db/open';
import type { SqlJs } from '../db/sqljs';
import type { SqlDatabase } from '../db/types';

interface Entry { db: FileDatabase; version: string }

function version(file: string): string {
  let s: fs.Stats;
  try { s = fs.statSync(file); } catch (e) { throw fromFsError(e, file); }
  if (s.isDirectory()) throw engineError('is-directory', file);
  const w = sidecar(`${file}-wal`);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}|${w.exists ? `${w.size}:${w.mtimeMs}` : '-'}`;
}

export class DatabasePool {
  private readonly open = new Map<string, Entry>();
  constructor(private readonly sql: () => SqlJs) {}

  get(file: string): FileDatabase {
    const abs = path.resolve(file);
    const entry = this.open.get(abs);
    let v: string;
    try { v = version(abs); } catch (e) { if (entry) this.close(abs); throw e; }
    if (entry && entry.version === v) return entry.db;
    if (entry) this.close(abs);
    const db = openDatabaseSync(this.sql(), abs);
    this.open.set(abs, { db, version: v });
    return db;
  }

  /** Closes and opens again: a fresh SQLite page cache and read-ahead. */
  reopen(file: string): FileDatabase {
    this.close(file);
    return this.get(file);
  }

  close(file: string): boolean {
    const abs = path.resolve(file);
    const entry = this.open.get(abs);
    if (!entry) return false;
    this.open.delete(abs);
    entry.db.close();
    return true;
  }

  closeAll(): void {
    for (const p of [...this.open.keys()]) this.close(p);
  }

  read<T>(file: string, fn: (db: SqlDatabase) => T, opts?: ConsistentOptions): ConsistentResult<T> {
    const abs = path.resolve(file);
    try {
      return readConsistent({ path: abs, current: () => this.get(abs), reopen: () => this.reopen(abs) }, fn, opts);
    } finally {
      // Each connection's page cache (16 MiB at most, see open.ts) goes back to the shared
      // WebAssembly heap after each read, so the worker's memory is bounded by the largest single
      // read, not by the number of databases open.
      try { this.open.get(abs)?.db.exec('PRAGMA shrink_memory'); } catch { /* closed meanwhile */ }
    }
  }
}
