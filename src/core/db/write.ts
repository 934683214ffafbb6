// Write sessions: the only way the engine writes a database, opened by a confirmed cleanup (or
// an undo) after its preflight found no other process using the file. sql.js takes no file
// locks, so this file never decides on its own that writing is safe: callers run the preflight.
//
// Rollback-journal files: normal locking mode (the -journal is created beside the database,
// fsynced, and deleted at COMMIT; a crash leaves a hot journal that any SQLite rolls back).
// WAL files: `PRAGMA locking_mode=EXCLUSIVE` before the first read, so SQLite keeps the wal-index
// in heap memory and never needs the -shm (HOSTFS has no shared memory); the -wal is written
// through the mount and, at close, checkpointed into the database and deleted.
//
// HOSTFS lets a write mount write only the database and its -journal. A WAL session also needs
// the -wal: `allowSidecar` below widens one mount, for that one file, without touching hostfs.ts.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Database } from 'sql.js';
import { SqlJsDatabase } from './database';
import { EngineError, engineError, fromFsError, fromSqliteError } from './errors';
import { hostPath, readHeader } from './header';
import { createHostFs, ERRNO, READ_AHEAD, type HostFs } from './hostfs';
import { fileIdentity, sameFile, type FileIdentity } from './identity';
import type { SqlJs } from './sqljs';
import type { HeaderInfo, SqlDatabase } from './types';

export interface WriteSession extends SqlDatabase {
  readonly header: HeaderInfo;
  readonly identity: FileIdentity;
  readonly walMode: boolean;
  readonly hostFs: HostFs;
  /** Rows changed by the last INSERT/UPDATE/DELETE. */
  changes(): number;
  /** Attaches another database file (created empty if missing) with its own write mount. */
  attach(file: string, alias: string): void;
  detach(alias: string): void;
}

export interface WriteSessionOptions {
  /** Set by callers whose preflight accepted a WAL database (no other process has it open). */
  allowWal: boolean;
  /**
   * Recovery only: a -journal left by OUR interrupted write (a cancelled cleanup), with no
   * other process holding the files. Opening read-write lets SQLite roll it back.
   */
  rollBackHotJournal?: boolean;
}

let mountCount = 0;

/* eslint-disable @typescript-eslint/no-explicit-any -- Emscripten's FS objects are untyped. */

/** Opens `file` for writing. Refuses -journal files (hot journal or live writer) always. */
export function openWriteSession(SQL: SqlJs, file: string, opts: WriteSessionOptions): WriteSession {
  const abs = nodePath.resolve(file); // the name the caller knows it by
  const real = hostPath(abs); // a symlink's target: its -journal and -wal are the ones that count
  const header = readHeader(real);
  if (header.journal.exists && !opts.rollBackHotJournal) {
    throw engineError('busy-writer', abs, 'a -journal file exists (another program is writing, or a write was interrupted)');
  }
  const walMode = header.journalMode === 'wal' || header.wal.exists;
  if (walMode && !opts.allowWal) throw engineError('unsupported', abs, 'WAL database: needs a preflight before writing');
  let identity: FileIdentity;
  try { identity = fileIdentity(real); fs.accessSync(real, fs.constants.R_OK | fs.constants.W_OK); } catch (e) { throw fromFsError(e, abs); }

  const FS = SQL.FS as any;
  const mounts: { mnt: string }[] = [];
  const mount = (hostFile: string, extra: string[]): { path: string; hostFs: HostFs } => {
    const id = ++mountCount, mnt = `/ehw${id}`, base = nodePath.basename(hostFile);
    const hostFs = createHostFs(FS, { dbName: base, writable: true, ...READ_AHEAD });
    for (const name of extra) allowSidecar(FS, hostFs, name);
    FS.mkdir(mnt);
    FS.mount(hostFs.type, { root: nodePath.dirname(hostFile) }, mnt);
    mounts.push({ mnt });
    return { path: `${mnt}/${base}`, hostFs };
  };
  const main = mount(real, walMode ? [`${nodePath.basename(real)}-wal`] : []);

  const db = Object.create(SQL.Database.prototype) as Database & { filename: string };
  Object.defineProperty(db, 'filename', { get: () => main.path, set: () => undefined, configurable: true });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    const dummy = `ehw-closed-${mountCount}-${Date.now()}`;
    FS.writeFile(`/${dummy}`, '');
    Object.defineProperty(db, 'filename', { value: dummy, writable: true, configurable: true });
    try { if ((db as unknown as { db: number | null }).db != null) db.close(); } finally {
      try { FS.unlink(`/${dummy}`); } catch { /* gone */ }
      for (const m of mounts.reverse()) { try { FS.unmount(m.mnt); FS.rmdir(m.mnt); } catch { /* keep going */ } }
    }
  };
  const mapError = (e: unknown): Error => fromSqliteError(e, abs, false);
  try {
    (SQL.Database as unknown as (this: unknown) => void).call(db);
    // Before anything reads the file: for WAL this keeps the wal-index in heap memory.
    db.exec(walMode ? 'PRAGMA locking_mode = EXCLUSIVE' : 'PRAGMA locking_mode = NORMAL');
    db.exec('PRAGMA temp_store = MEMORY'); // the plan's temp selections in the heap, not MEMFS (see open.ts)
    db.exec('SELECT count(*) FROM sqlite_schema');
    const mode = String(db.exec('PRAGMA journal_mode')[0]?.values[0]?.[0] ?? '');
    if (walMode && mode !== 'wal') throw new Error(`expected a WAL database, SQLite reports journal_mode=${mode}`);
    if (!walMode && mode !== 'delete' && mode !== 'truncate' && mode !== 'persist') {
      throw new Error(`unsupported journal_mode=${mode} for a write`);
    }
    if (mode === 'persist') throw new Error('journal_mode=PERSIST databases are not written by this engine');
  } catch (e) {
    const err = e instanceof EngineError ? e : mapError(e);
    try { close(); } catch { /* keep the first error */ }
    throw err;
  }

  const wrapper = new SqlJsDatabase(abs, db, {
    before: () => {
      let now: FileIdentity;
      try { now = fileIdentity(real); } catch { throw engineError('changed-while-open', abs, 'deleted'); }
      if (!sameFile(now, identity)) throw engineError('changed-while-open', abs, 'replaced');
    },
    mapError,
    close,
  });
  const attached = new Map<string, string>();
  return Object.assign(wrapper, {
    header, identity, walMode, hostFs: main.hostFs,
    changes: () => db.getRowsModified(),
    attach(fileToAttach: string, alias: string): void {
      let a = nodePath.resolve(fileToAttach);
      if (!fs.existsSync(a)) { fs.mkdirSync(nodePath.dirname(a), { recursive: true }); fs.writeFileSync(a, ''); }
      a = hostPath(a);
      const m = mount(a, []);
      attached.set(alias, m.path);
      try { db.exec(`ATTACH DATABASE '${m.path.replace(/'/g, "''")}' AS "${alias.replace(/"/g, '""')}"`); } catch (e) { throw mapError(e); }
    },
    detach(alias: string): void {
      try { db.exec(`DETACH DATABASE "${alias.replace(/"/g, '""')}"`); } catch (e) { throw mapError(e); }
      attached.delete(alias);
    },
  });
}

/**
 * Lets one mount create, write, truncate and delete one more file beside its database (the
 * -wal of a WAL session). Everything else keeps HOSTFS's policy.
 */
function allowSidecar(FS: any, hostFs: HostFs, name: string): void {
  const H = hostFs.type as any;
  const n = H.node_ops, s = H.stream_ops;
  const realPath = (node: any): string => {
    const parts: string[] = [];
    while (node.parent !== node) { parts.push(node.name); node = node.parent; }
    return nodePath.join(node.mount.opts.root, ...parts.reverse());
  };
  const wrap = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    try { return f(...a); } catch (e) {
      if (e instanceof FS.ErrnoError) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new FS.ErrnoError((ERRNO as Record<string, number>)[code] ?? ERRNO.EIO);
    }
  };
  const C = fs.constants;
  const mine = (node: any) => node?.name === name && node.parent !== node;
  const { getattr, lookup, mknod, unlink, setattr } = n;
  const { open, write } = s;
  n.getattr = (node: any) => {
    const a = getattr(node);
    return mine(node) ? { ...a, mode: a.mode | 0o666 } : a;
  };
  n.lookup = (parent: any, child: string) => {
    const node = lookup(parent, child);
    if (child === name) node.mode |= 0o666;
    return node;
  };
  n.mknod = (parent: any, child: string, mode: number, dev: number) => {
    if (child !== name) return mknod(parent, child, mode, dev);
    return wrap(() => {
      fs.closeSync(fs.openSync(nodePath.join(realPath(parent), child), C.O_CREAT | C.O_EXCL | C.O_WRONLY, 0o644));
      return H.createNode(parent, child, mode | 0o666, dev);
    })();
  };
  n.unlink = (parent: any, child: string) => {
    if (child !== name) return unlink(parent, child);
    return wrap(() => fs.unlinkSync(nodePath.join(realPath(parent), child)))();
  };
  n.setattr = (node: any, attr: { size?: number; mode?: number }) => {
    if (!mine(node)) return setattr(node, attr);
    return wrap(() => { if (attr.size !== undefined) fs.truncateSync(realPath(node), attr.size); })();
  };
  s.open = (stream: any) => {
    if (!mine(stream.node) || (stream.flags & 3) === 0) return open(stream);
    return wrap(() => {
      const acc = stream.flags & 3;
      stream.nfd = fs.openSync(realPath(stream.node), acc === 1 ? C.O_WRONLY : C.O_RDWR);
      stream.cache = null; // no read-ahead on the -wal: every read goes to the file
    })();
  };
  s.write = (stream: any, buf: Uint8Array, off: number, len: number, pos: number) => {
    if (!mine(stream.node)) return write(stream, buf, off, len, pos);
    return wrap(() => fs.writeSync(stream.nfd, buf, off, len, pos))();
  };
}
