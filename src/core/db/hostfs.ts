// HOSTFS: an Emscripten file system that serves one host directory to sql.js, reading the real
// files at explicit positions (pread), so a database of any size is opened in place.
// Policy: read-only unless the mount was made for a write session; even then only the database
// and its -journal may be written, and the database file itself can never be unlinked.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DiskWaits, interiorChildren, Prefetcher } from './prefetch';
import type { EmscriptenFS } from './sqljs';

/** One per thread: every database this engine thread opens shares the helper thread. */
const prefetcher = new Prefetcher();

/* eslint-disable @typescript-eslint/no-explicit-any -- Emscripten's FS objects are untyped. */
type FsNode = any;
type FsStream = any;

// Emscripten uses musl/WASI errno numbers, not the host's.
export const ERRNO = { EACCES: 2, EBADF: 8, EEXIST: 20, EINVAL: 28, EIO: 29, EISDIR: 31, ENOENT: 44, ENOTDIR: 54, ENOTEMPTY: 55, EPERM: 63 } as const;
const HOST_TO_ERRNO: Record<string, number> = {
  ENOENT: ERRNO.ENOENT, EACCES: ERRNO.EACCES, EPERM: ERRNO.EPERM, EISDIR: ERRNO.EISDIR, EEXIST: ERRNO.EEXIST,
  ENOTEMPTY: ERRNO.ENOTEMPTY, ENOTDIR: ERRNO.ENOTDIR, EBADF: ERRNO.EBADF, EINVAL: ERRNO.EINVAL,
};

/** Read-ahead defaults: 64 KiB blocks, 64 kept per open file (4 MiB). */
export const READ_AHEAD = { blockSize: 64 * 1024, maxBlocks: 64 } as const;

export interface HostFsOptions {
  /** Base name of the database in the mounted directory. */
  dbName: string;
  writable: boolean;
  blockSize: number;
  maxBlocks: number;
  /** Prefetch children of looked-up interior pages even while reads are fast (tests). */
  prefetchAlways?: boolean;
}

export interface HostFsStats {
  preads: number; preadBytes: number; hits: number; pwrites: number; fsyncs: number;
  /** Reads of exactly what SQLite asked for (a lookup elsewhere in the file), not a read-ahead block. */
  directReads: number;
  /** Pages handed to the prefetch helper thread (see prefetch.ts). */
  prefetchRequests: number;
}

export interface HostFs {
  /** The object passed to FS.mount. */
  readonly type: object;
  readonly stats: HostFsStats;
  /** Forget cached blocks and directory entries: another process may have changed the files. */
  invalidate(): void;
}

export function createHostFs(FS: EmscriptenFS & Record<string, any>, opts: HostFsOptions): HostFs {
  const C = fs.constants;
  const stats: HostFsStats = { preads: 0, preadBytes: 0, hits: 0, pwrites: 0, fsyncs: 0, directReads: 0, prefetchRequests: 0 };
  const streams = new Set<FsStream>();
  const children = new Set<FsNode>();
  const journal = `${opts.dbName}-journal`;
  // A WAL database copied without its -shm (or whose writer's -shm is gone) is still readable: in
  // read mode a missing -shm is shown as an empty, read-only file, and SQLite then builds its
  // wal-index from the -wal in private memory, as it does for a read-only -shm. Nothing is created.
  const shm = `${opts.dbName}-shm`;
  const absentShm = (n: FsNode): boolean => (n as FsNode & { absent?: boolean }).absent === true;
  const deny = (): never => { throw new FS.ErrnoError(ERRNO.EACCES); };
  // Only the database and its rollback journal may ever be written, and only in a write session.
  const mayWrite = (name: string): boolean => opts.writable && (name === opts.dbName || name === journal);

  const wrap = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    try { return f(...a); } catch (e) {
      if (e instanceof FS.ErrnoError) throw e;
      throw new FS.ErrnoError(HOST_TO_ERRNO[(e as NodeJS.ErrnoException).code ?? ''] ?? ERRNO.EIO);
    }
  };
  const realPath = (n: FsNode): string => {
    const parts: string[] = [];
    while (n.parent !== n) { parts.push(n.name); n = n.parent; }
    return nodePath.join(n.mount.opts.root, ...parts.reverse());
  };
  const hostFlags = (f: number): number => {
    const acc = f & 3;
    let r = acc === 0 ? C.O_RDONLY : acc === 1 ? C.O_WRONLY : C.O_RDWR;
    if (f & 1024) r |= C.O_APPEND; // O_CREAT/O_TRUNC are handled by mknod/setattr
    return r;
  };
  const isDir = (mode: number): boolean => FS.isDir(mode);
  // Emscripten checks permission bits itself (ignoring uid): let the host decide reads, and
  // show no write bits unless writing is allowed, a second fence before our own checks.
  const visibleMode = (name: string, mode: number): number =>
    isDir(mode) ? mode : mayWrite(name) ? mode | 0o666 : (mode | 0o444) & ~0o222;

  const H: any = {
    mount: (m: any) => H.createNode(null, '/', fs.statSync(m.opts.root).mode | 0o555, 0),
    createNode(parent: FsNode, name: string, mode: number, dev: number): FsNode {
      const node = FS.createNode(parent, name, mode, dev);
      node.node_ops = H.node_ops;
      node.stream_ops = H.stream_ops;
      if (parent) children.add(node);
      return node;
    },
    node_ops: {
      getattr: wrap((n: FsNode) => {
        if (absentShm(n)) {
          const t = new Date(0);
          return { dev: 0, ino: n.id, mode: n.mode, nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, atime: t, mtime: t, ctime: t, blksize: 4096, blocks: 0 };
        }
        const s = fs.statSync(realPath(n)); // st_size drives SQLite's idea of the page count
        return { dev: s.dev, ino: s.ino, mode: n.parent === n ? s.mode : visibleMode(n.name, s.mode), nlink: s.nlink,
          uid: s.uid, gid: s.gid, rdev: s.rdev, size: s.size, atime: s.atime, mtime: s.mtime, ctime: s.ctime,
          blksize: 4096, blocks: s.blocks };
      }),
      setattr: wrap((n: FsNode, a: { size?: number; mode?: number }) => {
        if (a.size !== undefined) {
          if (!mayWrite(n.name)) deny();
          fs.truncateSync(realPath(n), a.size);
          invalidate();
        }
        if (a.mode !== undefined && mayWrite(n.name)) n.mode = a.mode; // chmod after create: keep it in-process only
      }),
      lookup: wrap((p: FsNode, name: string) => {
        let s: fs.Stats;
        try { s = fs.statSync(nodePath.join(realPath(p), name)); } catch (e) {
          if (name !== shm || opts.writable || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          return Object.assign(H.createNode(p, name, 0o100444, 0), { absent: true });
        }
        return H.createNode(p, name, visibleMode(name, s.mode), 0);
      }),
      mknod: wrap((p: FsNode, name: string, mode: number, dev: number) => {
        if (isDir(mode) || !mayWrite(name) || name === opts.dbName) deny(); // we never create the database
        fs.closeSync(fs.openSync(nodePath.join(realPath(p), name), C.O_CREAT | C.O_EXCL | C.O_WRONLY, 0o644));
        return H.createNode(p, name, visibleMode(name, mode), dev);
      }),
      unlink: wrap((p: FsNode, name: string) => {
        if (name !== journal || !opts.writable) deny(); // never the database (sql.js close() tries)
        fs.unlinkSync(nodePath.join(realPath(p), name));
      }),
      rename: () => deny(),
      rmdir: () => deny(),
      symlink: () => deny(),
      readlink: () => { throw new FS.ErrnoError(ERRNO.EINVAL); },
      readdir: wrap((n: FsNode) => ['.', '..', ...fs.readdirSync(realPath(n))]),
    },
    stream_ops: {
      open: wrap((s: FsStream) => {
        if (isDir(s.node.mode)) { s.nfd = fs.openSync(realPath(s.node), 'r'); return; } // SQLite fsyncs the directory
        // A refused write open makes SQLite retry read-only: that is how read mode works.
        if ((s.flags & 3) !== 0 && !mayWrite(s.node.name)) deny();
        if (absentShm(s.node)) { s.cache = null; return; }
        s.nfd = fs.openSync(realPath(s.node), hostFlags(s.flags));
        s.cache = opts.blockSize > 0 ? new Map<number, Buffer>() : null;
        streams.add(s);
      }),
      close: wrap((s: FsStream) => {
        streams.delete(s);
        if (s.nfd !== undefined) fs.closeSync(s.nfd);
        s.nfd = undefined;
      }),
      read: wrap((s: FsStream, buf: Uint8Array, off: number, len: number, pos: number) => {
        if (absentShm(s.node)) return 0;
        const n = readCached(s, buf, off, len, pos);
        if (pos < 20 && pos + n > 18 && s.node.name === opts.dbName) walHeaderFallback(s, buf, off, pos, n);
        return n;
      }),
      write: wrap((s: FsStream, buf: Uint8Array, off: number, len: number, pos: number) => {
        if (!mayWrite(s.node.name)) deny();
        s.cache?.clear();
        stats.pwrites++;
        return fs.writeSync(s.nfd, buf, off, len, pos);
      }),
      llseek: wrap((s: FsStream, off: number, whence: number) => {
        let p = off;
        if (whence === 1) p += s.position;
        else if (whence === 2) p += fs.fstatSync(s.nfd).size;
        if (p < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
        return p;
      }),
      fsync: wrap((s: FsStream) => {
        if (!opts.writable) return 0;
        stats.fsyncs++;
        fs.fsyncSync(s.nfd);
        return 0;
      }),
      // No mmap: a -shm cannot be shared with other processes from here, so SQLite falls back to
      // its private heap wal-index when the -shm is read-only (see reference §6).
    },
  };

  // Read-ahead: aligned blocks of blockSize bytes, a small LRU per open stream, for reads that
  // follow on from the previous one (scans) while blocks prove useful. A read elsewhere that
  // misses the cache (a b-tree lookup) reads just what SQLite asked for: a 64 KiB block per 4 KiB
  // page made index-heavy queries slower.
  let scratch = Buffer.allocUnsafe(4096);
  /**
   * Whether a read continues one of the last few reads (at most a block further on): a query often
   * walks a table in order while it looks up an index in between, and both walks deserve to be
   * recognised (the kernel's readahead keeps several streams per file for the same reason).
   */
  const STREAMS = 4;
  function followsOn(s: FsStream, pos: number, len: number): boolean {
    const ends: number[] = s.readEnds ??= [];
    const i = ends.findIndex((e) => pos >= e && pos < e + opts.blockSize);
    if (i >= 0) ends.splice(i, 1);
    else if (ends.length >= STREAMS) ends.shift();
    ends.push(pos + len);
    return i >= 0;
  }
  /**
   * Whether loading block `b` for a read that follows on is likely to pay: only when the blocks
   * such reads touched were read again while still cached (a table's leaves between its overflow
   * pages: yes; an index's leaves scattered one per block across a 9.7 GB file: no, and reading
   * ahead there read 520 MB for a 48 MB index). Measured on a shadow list of recently touched
   * blocks, so it keeps learning while the stream reads page by page. The measure is per open
   * file, not per walk: a dense scan interleaved with a sparse one keeps reading ahead for both
   * (per-walk counters would restart whenever a lookup displaces a walk from followsOn's list).
   */
  const MIN_REUSE = 1; // other pages read per block, on average, for a block read to pay
  function worthReadingAhead(s: FsStream, b: number): boolean {
    const w: { seen: Map<number, true>; touched: number; reused: number } = s.readAhead ??= { seen: new Map(), touched: 0, reused: 0 };
    if (w.seen.delete(b)) w.reused++;
    else {
      w.touched++;
      if (w.seen.size >= opts.maxBlocks) w.seen.delete(w.seen.keys().next().value as number);
    }
    w.seen.set(b, true);
    if (w.touched >= 64) { w.touched /= 2; w.reused /= 2; } // a moving window
    return w.touched < 8 || w.reused >= w.touched * MIN_REUSE;
  }
  function readCached(s: FsStream, buf: Uint8Array, off: number, len: number, pos: number): number {
    const bs = opts.blockSize;
    const sequential = followsOn(s, pos, len) && (!s.cache || worthReadingAhead(s, Math.floor(pos / bs)));
    if (!s.cache || len > bs) {
      stats.preads++; stats.preadBytes += len; stats.directReads++;
      return fs.readSync(s.nfd, buf, off, len, pos);
    }
    if (!sequential && !s.cache.has(Math.floor(pos / bs)) && !s.cache.has(Math.floor((pos + len - 1) / bs))) {
      if (scratch.length < len) scratch = Buffer.allocUnsafe(len);
      stats.preads++; stats.preadBytes += len; stats.directReads++;
      const started = performance.now();
      const n = fs.readSync(s.nfd, scratch, 0, len, pos);
      afterLookup(s, scratch.subarray(0, n), pos, performance.now() - started);
      buf.set(n === scratch.length ? scratch : scratch.subarray(0, n), off);
      return n;
    }
    let done = 0;
    while (done < len) {
      const p = pos + done, b = Math.floor(p / bs);
      let blk: Buffer | undefined = s.cache.get(b);
      if (blk) { stats.hits++; s.cache.delete(b); s.cache.set(b, blk); } else {
        // A full cache hands its oldest block's memory to the new one: a scan of a 1 GB file
        // otherwise leaves thousands of 64 KiB buffers for the GC (~60 MB of RSS seen).
        let t: Buffer;
        if (s.cache.size >= opts.maxBlocks) {
          const oldest = s.cache.keys().next().value as number;
          const old = s.cache.get(oldest)!;
          s.cache.delete(oldest);
          t = old.byteOffset === 0 && old.buffer.byteLength === bs ? Buffer.from(old.buffer, 0, bs) : Buffer.allocUnsafe(bs);
        } else t = Buffer.allocUnsafe(bs);
        stats.preads++; stats.preadBytes += bs;
        blk = t.subarray(0, fs.readSync(s.nfd, t, 0, bs, b * bs));
        s.cache.set(b, blk);
      }
      const i = p - b * bs;
      if (i >= blk!.length) break; // end of file
      const n = Math.min(len - done, blk!.length - i);
      buf.set(blk!.subarray(i, i + n), off + done);
      done += n;
    }
    return done;
  }

  // A WAL database with no -wal file (no writer connected) cannot be opened read-only: SQLite
  // would have to create the -wal and -shm. Its main file then holds every committed page, so
  // we show header bytes 18–19 as 1 (rollback) while the -wal is absent. Read mode only; the
  // check runs on each page-1 read, i.e. at each transaction start, so a writer appearing later
  // switches the next transaction back to the real WAL path.
  function walHeaderFallback(s: FsStream, buf: Uint8Array, off: number, pos: number, n: number): void {
    if (opts.writable || fs.existsSync(nodePath.join(realPath(s.node.parent), `${opts.dbName}-wal`))) return;
    for (const i of [18, 19]) {
      if (i >= pos && i < pos + n && buf[off + i - pos] === 2) buf[off + i - pos] = 1;
    }
  }

  // Prefetch: a b-tree interior page that SQLite looked up (read alone, not inside a read-ahead
  // block, whose neighbours the kernel reads ahead anyway) lists the pages a scan reads next. While
  // the disk makes such lookups wait, a helper thread asks for them as SQLite works (prefetch.ts).
  function afterLookup(s: FsStream, page: Uint8Array, pos: number, ms: number): void {
    const waits: DiskWaits = s.diskWaits ??= new DiskWaits(opts.prefetchAlways);
    const justStarted = waits.note(ms);
    const n = page.length;
    const isPage = s.node.name === opts.dbName && n >= 512 && (n & (n - 1)) === 0 && pos % n === 0;
    const kids = isPage ? interiorChildren(page, pos === 0 ? 100 : 0) : undefined;
    if (kids) s.lastInterior = { kids, pageSize: n };
    // On turning on, the last interior page's children are still the ones being read.
    if ((kids && waits.active) || (justStarted && s.lastInterior)) requestPrefetch(s, s.lastInterior);
  }
  function requestPrefetch(s: FsStream, { kids, pageSize }: { kids: number[]; pageSize: number }): void {
    const pages = kids.filter((k) => k > 0).map((k) => [(k - 1) * pageSize, pageSize] as const);
    prefetcher.request(s.nfd, pages);
    stats.prefetchRequests += pages.length;
  }

  function invalidate(): void {
    for (const s of streams) s.cache?.clear();
    // Cached directory entries would say a -journal/-wal still exists after the writer removed it.
    for (const n of children) FS.hashRemoveNode(n);
    children.clear();
  }

  return { type: H, stats, invalidate };
}
