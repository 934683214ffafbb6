// One error type for everything the engine refuses or cannot read: a stable code for programs,
// one sentence (what happened, what to do next) for people. It survives the worker boundary.
import * as path from 'node:path';

export type EngineErrorCode =
  | 'not-found' | 'is-directory' | 'empty' | 'not-sqlite' | 'truncated' | 'corrupt'
  | 'unsupported' | 'permission-denied' | 'changed-while-open' | 'busy-writer' | 'read-only'
  | 'io' | 'cancelled' | 'sql-error' | 'bad-request' | 'internal';

export interface SerializedEngineError {
  code: EngineErrorCode;
  message: string;
  detail?: string;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(readonly code: EngineErrorCode, message: string, readonly detail?: string) {
    super(message);
  }

  toJSON(): SerializedEngineError {
    return this.detail === undefined ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }

  static fromJSON(e: SerializedEngineError): EngineError {
    return new EngineError(e.code, e.message, e.detail);
  }
}

const name = (file: string): string => path.basename(file);

/** The sentence for each code, so every caller says the same thing. */
export function engineError(code: EngineErrorCode, file: string, detail?: string): EngineError {
  const n = name(file);
  const text: Record<EngineErrorCode, string> = {
    'not-found': `${n} does not exist (${file}). Check the path or the databases setting.`,
    'is-directory': `${n} is a directory, not a database file. Point the databases setting at the .sqlite/.db file inside it.`,
    'empty': `${n} is empty (0 bytes), so there is nothing to read yet. Wait until the program that owns it has written to it.`,
    'not-sqlite': `${n} is not a SQLite database (its first bytes are not 'SQLite format 3'). Check the path or the databases setting.`,
    'truncated': `${n} is shorter than its header says (it was cut off or is still being copied). Use the original file or wait for the copy to finish.`,
    'corrupt': `${n} is damaged (SQLite reports a malformed database image). Run 'sqlite3 ${n} "PRAGMA integrity_check"' and restore it from a backup if needed.`,
    'unsupported': `${n} uses a SQLite file format this extension cannot read${detail ? ` (${detail})` : ''}. Open it with a current sqlite3 to check it.`,
    'permission-denied': `${n} cannot be read: permission denied. Give your user read access to the file and its folder.`,
    'changed-while-open': `${n} was deleted or replaced while it was open. Reopen it to read the current file.`,
    // A crashed writer's hot journal looks the same as a live one: say both, and the way out.
    'busy-writer': `${n} is being written by another program right now, or a write to it was interrupted. Retry in a moment; if no program is using it, open it once with sqlite3 (sqlite3 "${file}" "PRAGMA integrity_check") to finish the interrupted write, then retry.`,
    'read-only': `${n} is open read-only, so this statement was refused. Use a cleanup command to change the database.`,
    'io': `${n} could not be read (an input/output error). Check the disk and retry.`,
    'cancelled': `Reading ${n} was cancelled.`,
    'sql-error': `A query on ${n} failed${detail ? ` (${detail})` : ''}. Check the SQL statement.`,
    'internal': `The engine failed unexpectedly while reading ${n}${detail ? ` (${detail})` : ''}. Retry, and report it if it persists.`,
    'bad-request': `The request for ${n} is invalid${detail ? ` (${detail})` : ''}. This is a bug in the caller.`,
  };
  return new EngineError(code, text[code], detail);
}

/** Node fs error codes → engine codes (unit-tested so the mapping holds where tests run as root). */
export function codeForErrno(errno: string | undefined): EngineErrorCode {
  switch (errno) {
    case 'ENOENT': case 'ENOTDIR': return 'not-found';
    case 'EISDIR': return 'is-directory';
    case 'EACCES': case 'EPERM': return 'permission-denied';
    case 'EBUSY': case 'EAGAIN': return 'busy-writer';
    default: return 'io';
  }
}

export function fromFsError(e: unknown, file: string): EngineError {
  if (e instanceof EngineError) return e;
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  return engineError(codeForErrno(errno), file, errno ?? String(e));
}

/** True when a SQLite message (sql.js gives only the text) may come from a concurrent writer. */
export function isWriterSymptom(message: string): boolean {
  return /malformed|database is locked|busy|locking protocol|readonly database|disk I\/O error|not a database/i.test(message);
}

/**
 * Maps a SQLite error message to an engine error. `writerActive` says whether another process
 * looked busy (journal / WAL present or the file changed): then corruption-like errors are
 * reported as busy-writer, not as a damaged file.
 */
export function fromSqliteError(e: unknown, file: string, writerActive: boolean): EngineError {
  if (e instanceof EngineError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (writerActive && isWriterSymptom(msg)) return engineError('busy-writer', file, msg);
  // SQLITE_PROTOCOL: the -wal kept changing while SQLite built its private index of it.
  if (/database is locked|busy|locking protocol/i.test(msg)) return engineError('busy-writer', file, msg);
  if (/readonly database|query_only|attempt to write/i.test(msg)) return engineError('read-only', file, msg);
  if (/malformed|corrupt/i.test(msg)) return engineError('corrupt', file, msg);
  if (/not a database/i.test(msg)) return engineError('not-sqlite', file, msg);
  if (/unsupported file format/i.test(msg)) return engineError('unsupported', file, msg);
  if (/unable to open/i.test(msg)) return engineError('io', file, msg);
  if (/disk I\/O error/i.test(msg)) return engineError('io', file, msg);
  return engineError('sql-error', file, msg);
}
