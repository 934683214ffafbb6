// Reads the 100-byte SQLite header and the sidecar files directly (no SQLite involved), so we can
// refuse bad inputs with a precise reason before sql.js sees them, and detect writers cheaply.
import * as fs from 'node:fs';
import { engineError, fromFsError } from './errors';
import type { HeaderInfo, SidecarFile } from './types';

const MAGIC = 'SQLite format 3\0';
export const HEADER_SIZE = 100;

export function sidecar(file: string): SidecarFile {
  try {
    const s = fs.statSync(file);
    return { exists: true, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return { exists: false, size: 0, mtimeMs: 0 };
  }
}

/**
 * The file SQLite must really open: a symlink's target. Its -journal, -wal and -shm lie beside the
 * target, not beside the link, and a mount of the link's folder would miss them (a committed WAL
 * read wrong, a hot journal ignored, a cleanup's checkpoint into a second -wal). A path that
 * cannot be resolved is returned as given, for the header check to name what is wrong.
 */
export function hostPath(file: string): string {
  try { return fs.realpathSync(file); } catch { return file; }
}

/** A -journal or -wal beside the file: another process is (or was, and crashed while) writing it. */
export function writerActive(file: string): boolean {
  return sidecar(`${file}-journal`).exists || sidecar(`${file}-wal`).exists;
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readAt(file: string, position: number, length: number): Buffer {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch (e) { throw fromFsError(e, file); }
  try {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } catch (e) { throw fromFsError(e, file); } finally { fs.closeSync(fd); }
}

/** Parses the header; throws an EngineError for anything we cannot open. */
export function parseHeader(file: string, bytes: Buffer, fileSize: number): HeaderInfo {
  if (fileSize === 0) throw engineError('empty', file);
  if (bytes.length < 16 || bytes.toString('latin1', 0, 16) !== MAGIC) throw engineError('not-sqlite', file);
  if (bytes.length < HEADER_SIZE) throw engineError('truncated', file, `${fileSize} bytes, header is ${HEADER_SIZE}`);
  const raw = bytes.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw engineError('unsupported', file, `page size ${raw}`);
  }
  const writeVersion = bytes[18]!, readVersion = bytes[19]!;
  if (readVersion > 2) throw engineError('unsupported', file, `file format read version ${readVersion}`);
  const schemaFormat = bytes.readUInt32BE(44);
  if (schemaFormat > 4) throw engineError('unsupported', file, `schema format ${schemaFormat}`);
  const changeCounter = bytes.readUInt32BE(24);
  const inHeaderPages = bytes.readUInt32BE(28);
  const pageCount = inHeaderPages > 0 && bytes.readUInt32BE(92) === changeCounter ? inHeaderPages : null;
  if (fileSize < pageSize || (pageCount !== null && fileSize < pageCount * pageSize)) {
    // (A checkpoint writes page 1 before it extends the file: readConsistent retries this while
    // a -wal or -journal is beside it, and says 'truncated' only if it stays short.)
    throw engineError('truncated', file, `${fileSize} bytes, header says ${pageCount ?? 1} pages of ${pageSize}`);
  }
  const enc = bytes.readUInt32BE(56);
  return {
    path: file, fileSize, pageSize, pageCount, changeCounter, schemaFormat, writeVersion, readVersion,
    journalMode: readVersion === 2 || writeVersion === 2 ? 'wal' : readVersion === 1 ? 'rollback' : 'unknown',
    textEncoding: enc === 1 ? 'utf-8' : enc === 2 ? 'utf-16le' : enc === 3 ? 'utf-16be' : enc === 0 ? 'utf-8' : 'unknown',
    sqliteVersion: bytes.readUInt32BE(96),
    wal: sidecar(`${file}-wal`), shm: sidecar(`${file}-shm`), journal: sidecar(`${file}-journal`),
  };
}

/** Stats and reads the header of `file`; the single entry point for "can we open this?". */
export function readHeader(file: string): HeaderInfo {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) { throw fromFsError(e, file); }
  if (st.isDirectory()) throw engineError('is-directory', file);
  if (!st.isFile()) throw engineError('not-sqlite', file, 'not a regular file');
  if (st.size === 0) throw engineError('empty', file);
  return parseHeader(file, readAt(file, 0, HEADER_SIZE), st.size);
}

/** Bytes 24–27, re-read cheaply to notice commits by other processes. */
export function readChangeCounter(file: string): number | null {
  try {
    const b = readAt(file, 24, 4);
    return b.length === 4 ? b.readUInt32BE(0) : null;
  } catch { return null; }
}
