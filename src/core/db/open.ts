// Opens a database file in place: header checks first (precise errors, nothing touched), then a
// HOSTFS mount and sql.js's main database on the real path. Read mode is the default and cannot
// write; write mode is the explicit session a confirmed cleanup opens on a rollback-journal file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from 'sql.js';
import { SqlJsDatabase } from './database';
import { EngineError, engineError, fromFsError, fromSqliteError } from './errors';
import { hostPath, readHeader, writerActive } from './header';
import { createHostFs, READ_AHEAD, type HostFs } from './hostfs';
import { fileIdentity, sameFile, type FileIdentity } from './identity';
import { loadSqlJs, type SqlJs } from './sqljs';
import type { HeaderInfo, OpenOptions, SqlDatabase } from './types';

/** An open file database: the SqlDatabase API plus what the engine needs to manage it. */
export interface FileDatabase extends SqlDatabase {
  readonly mode: 'read' | 'write';
  readonly header: HeaderInfo;
  readonly identity: FileIdentity;
  readonly hostFs: HostFs;
}

let mountCount = 0;

export async function openDatabase(file: string, opts: OpenOptions = {}): Promise<FileDatabase> {
  return openDatabaseSync(await loadSqlJs(), file, opts);
}

export function openDatabaseSync(SQL: SqlJs, file: string, opts: OpenOptions = {}): FileDatabase {
  const abs = path.resolve(file); // the name the caller knows it by
  const real = hostPath(abs); // the file and sidecars SQLite works on
  const mode = opts.mode ?? 'read';
  const header = readHeader(real);
  if (mode === 'write') refuseUnsafeWrite(header);
  let identity: FileIdentity;
  try { identity = fileIdentity(real); } catch (e) { throw fromFsError(e, abs); }
  try { fs.accessSync(real, mode === 'write' ? fs.constants.R_OK | fs.constants.W_OK : fs.constants.R_OK); } catch (e) { throw fromFsError(e, abs); }

  const FS = SQL.FS;
  const id = ++mountCount, mnt = `/eh${id}`, base = path.basename(real);
  const hostFs = createHostFs(FS, { dbName: base, writable: mode === 'write',
    blockSize: opts.blockSize ?? READ_AHEAD.blockSize, maxBlocks: opts.maxBlocks ?? READ_AHEAD.maxBlocks, prefetchAlways: opts.prefetchAlways });
  FS.mkdir(mnt);
  FS.mount(hostFs.type, { root: path.dirname(real) }, mnt);

  // Make the *main* database the host file: sql.js's constructor assigns a random MEMFS name
  // (ignored by this getter) and opens whatever `filename` says.
  const db = Object.create(SQL.Database.prototype) as Database & { filename: string };
  Object.defineProperty(db, 'filename', { get: () => `${mnt}/${base}`, set: () => undefined, configurable: true });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    // sql.js close() unlinks '/' + filename: point it at a throwaway MEMFS file first, so the
    // user's database is never the target (HOSTFS also refuses that unlink).
    const dummy = `eh-closed-${id}`;
    FS.writeFile(`/${dummy}`, '');
    Object.defineProperty(db, 'filename', { value: dummy, writable: true, configurable: true });
    try { if ((db as unknown as { db: number | null }).db != null) db.close(); } finally {
      try { FS.unlink(`/${dummy}`); } catch { /* already gone */ }
      FS.unmount(mnt);
      FS.rmdir(mnt);
    }
  };

  try {
    (SQL.Database as unknown as (this: unknown) => void).call(db);
    // sql.js is built with TEMP_STORE=1: temp b-trees (GROUP BY, DISTINCT) would be files in
    // Emscripten's MEMFS, typed arrays that double as they grow and leave the old ones to the GC
    // (a 1 GB doctor query peaked ~50 MB higher, and ran ~15 % slower). In SQLite's own memory
    // they reuse the WebAssembly heap. Either way they are in RAM; nothing is written to disk.
    db.exec('PRAGMA temp_store = MEMORY');
    // 16 MiB of page cache instead of 2: index lookups (a doctor's NOT EXISTS per row) hit it
    // instead of crossing into JS for every page (~1.3x faster on 1 GB; fixed cost, any file size).
    db.exec('PRAGMA cache_size = -16384');
    if (mode === 'read') db.exec('PRAGMA query_only = 1');
    db.exec('SELECT count(*) FROM sqlite_schema'); // reads the schema now: bad files fail at open
  } catch (e) {
    const err = fromSqliteError(e, abs, writerActive(real));
    try { close(); } catch { /* keep the first error */ }
    throw err;
  }

  const wrapper = new SqlJsDatabase(abs, db, {
    before: () => {
      checkSameFile(real, abs, identity);
      hostFs.invalidate(); // another process may have written since the last statement
    },
    mapError: (e) => fromSqliteError(e, abs, writerActive(real)),
    close,
  });
  return Object.assign(wrapper, { mode, header, identity, hostFs });
}

function refuseUnsafeWrite(h: HeaderInfo): void {
  // sql.js takes no locks: writing next to another process's journal or WAL can corrupt the file.
  if (h.journalMode === 'wal') throw engineError('unsupported', h.path, 'WAL databases are never written by this engine');
  if (h.journal.exists || h.wal.exists || h.shm.exists) throw engineError('busy-writer', h.path, 'a -journal, -wal or -shm file exists');
}

function checkSameFile(real: string, file: string, identity: FileIdentity): void {
  let now: FileIdentity;
  try { now = fileIdentity(real); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw engineError('changed-while-open', file, 'deleted');
    throw fromFsError(e, file);
  }
  if (!sameFile(now, identity)) throw engineError('changed-while-open', file, 'replaced');
}

export { EngineError };
