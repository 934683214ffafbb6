// Torn-read protection. sql.js takes no locks, so another process can commit while we read.
// Run the read, compare the file's fingerprint (change counter, -wal and -journal size/mtime)
// before and after, and retry on a fresh connection when it moved or failed like a torn read.
import { EngineError, engineError, isWriterSymptom } from './errors';
import { hostPath, readChangeCounter, sidecar, writerActive } from './header';
import type { SqlDatabase } from './types';

export const TORN_READ_MESSAGE = 'the database is being written; showing the last consistent result';

export interface ConsistentResult<T> {
  value: T;
  /** False when every attempt overlapped a write: `value` is the last result we got. */
  consistent: boolean;
  attempts: number;
  message?: string;
}

export interface ConsistentSource {
  readonly path: string;
  /** The current connection. */
  current(): SqlDatabase;
  /** A fresh connection (drops SQLite's page cache and our read-ahead). */
  reopen(): SqlDatabase;
}

export interface ConsistentOptions {
  attempts?: number;
  /** Wait before retry n is n × waitMs. */
  waitMs?: number;
}

export function fingerprint(given: string): string {
  const file = hostPath(given);
  const w = sidecar(`${file}-wal`), j = sidecar(`${file}-journal`);
  return `${readChangeCounter(file)}|${w.exists ? `${w.size}@${w.mtimeMs}` : '-'}|${j.exists ? `${j.size}@${j.mtimeMs}` : '-'}`;
}

export function readConsistent<T>(src: ConsistentSource, read: (db: SqlDatabase) => T, opts: ConsistentOptions = {}): ConsistentResult<T> {
  const attempts = opts.attempts ?? 4, waitMs = opts.waitMs ?? 50;
  let last: { value: T } | undefined;
  let lastError: EngineError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) sleep(waitMs * (attempt - 1));
    const before = fingerprint(src.path);
    try {
      const value = read(attempt === 1 ? src.current() : src.reopen());
      if (fingerprint(src.path) === before) return { value, consistent: true, attempts: attempt };
      last = { value };
    } catch (e) {
      const moved = fingerprint(src.path) !== before;
      if (!isRetryable(e, moved || writerActive(hostPath(src.path)))) throw e;
      lastError = e instanceof EngineError && (e.code === 'busy-writer' || e.code === 'truncated') ? e
        : engineError('busy-writer', src.path, e instanceof Error ? e.message : String(e));
    }
  }
  if (last) return { value: last.value, consistent: false, attempts, message: TORN_READ_MESSAGE };
  throw lastError ?? engineError('busy-writer', src.path);
}

function isRetryable(e: unknown, writerActive: boolean): boolean {
  if (e instanceof EngineError) {
    if (e.code === 'busy-writer') return true;
    return writerActive && (e.code === 'corrupt' || e.code === 'io' || e.code === 'read-only' || e.code === 'not-sqlite' || e.code === 'truncated');
  }
  return writerActive && isWriterSymptom(e instanceof Error ? e.message : String(e));
}

/** Synchronous sleep: the engine runs in a worker where blocking is the point. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
