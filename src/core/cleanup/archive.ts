// The archive of a cleanup: every row about to be deleted or changed, all columns and its rowid,
// in a SQLite file of its own, with a manifest (action, targets, counts, time, the database's
// fingerprint, and whether the cleanup was applied). Layout, beside the database by default:
//   <db dir>/.experiment-health/archive/<db name>-<UTC time>-<action>/{archive.sqlite, manifest.json}
// Archive tables have untyped columns, so values are stored exactly as they were read.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../db/errors';
import type { SqlDatabase } from '../db/types';
import { q, rowidAlias } from './sql';
import type { CleanupAction, CleanupPlan, CleanupTarget, TableChange } from './types';

export const ARCHIVE_ROWID = '_eh_rowid';

export interface ArchivedTable {
  table: string;
  kind: 'delete' | 'update';
  rows: number;
  columns: string[];
  /** The INTEGER PRIMARY KEY column (the rowid alias), when the table has one. */
  rowidAlias?: string;
  /** Updated rows: rowid → hash of the row as the cleanup left it (undo refuses if it changed since). */
  afterHashes?: Record<string, string>;
}

export interface Manifest {
  version: 1;
  database: string;
  identity: { dev: number; ino: number };
  action: CleanupAction;
  title: string;
  target: CleanupTarget;
  runIds: string[];
  changes: TableChange[];
  /** When the cleanup ran (ISO). */
  time: string;
  /** 'archived': rows copied, the cleanup not (yet) applied; 'applied'; 'failed' (rolled back); 'undone'. */
  status: 'archived' | 'applied' | 'failed' | 'undone';
  error?: string;
  fingerprintBefore: string;
  fingerprintAfter?: string;
  /** File name of the archive database, relative to the manifest. */
  archive: string;
  /** Parents first (the order to restore in). */
  tables: ArchivedTable[];
  undoneAt?: string;
  plan: CleanupPlan;
}

export function defaultArchiveDirectory(database: string): string {
  return path.join(path.dirname(path.resolve(database)), '.experiment-health', 'archive');
}

export function newArchiveFolder(database: string, action: CleanupAction, time: Date, root?: string): string {
  const stamp = time.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(root ?? defaultArchiveDirectory(database), `${path.basename(database)}-${stamp}-${action}`);
  let dir = base;
  for (let i = 2; fs.existsSync(dir); i++) dir = `${base}-${i}`;
  makeFolders(dir);
  return dir;
}

/**
 * mkdir -p, one level at a time from the nearest folder that exists: Node's recursive mkdir loops
 * forever under /proc. Any failure is one sentence naming the folder, before the database is touched.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) { missing.unshift(at); at = path.dirname(at); }
  let code: string | undefined;
  try {
    if (!fs.statSync(at).isDirectory()) code = 'ENOTDIR';
    else for (const d of missing) fs.mkdirSync(d);
  } catch (e) { code = (e as NodeJS.ErrnoException).code ?? 'EIO'; }
  if (!code) return;
  const why = code === 'ENOTDIR' ? `${at} is a file, not a folder` : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EROFS' ? 'the file system is read-only' : code === 'ENOSPC' ? 'the disk is full' : `it cannot be created there (${code})`;
  throw new EngineError(code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'io',
    `Cannot create the archive folder ${dir}: ${why}. Choose another archive folder (--archive-dir, or the setting experimentHealth.archiveDirectory); nothing was changed.`);
}

/** Writes the manifest atomically (temp file, fsync, rename). */
export function writeManifest(file: string, m: Manifest): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try { fs.writeSync(fd, `${JSON.stringify(m, null, 1)}\n`); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
}

export function readManifest(file: string): Manifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    return m && m.version === 1 && Array.isArray(m.tables) ? m : undefined;
  } catch { return undefined; }
}

/** Every manifest of `database` under the archive directory, newest first. */
export function listManifests(database: string, root?: string): { file: string; manifest: Manifest }[] {
  const dir = root ?? defaultArchiveDirectory(database);
  const abs = path.resolve(database);
  let entries: string[];
  try { entries = fs.readdirSync(dir); } catch { return []; }
  const out: { file: string; manifest: Manifest }[] = [];
  for (const e of entries) {
    const file = path.join(dir, e, 'manifest.json');
    const m = readManifest(file);
    if (m && path.resolve(m.database) === abs) out.push({ file, manifest: m });
  }
  return out.sort((a, b) => b.manifest.time.localeCompare(a.manifest.time) || b.file.localeCompare(a.file));
}

/** The statements creating one archive table (untyped columns keep values exactly). */
export function archiveTableSql(alias: string, table: string, columns: string[]): string {
  return `CREATE TABLE ${alias}.${q(table)} (${q(ARCHIVE_ROWID)} INTEGER PRIMARY KEY, ${columns.map(q).join(', ')})`;
}

export function describeTable(db: SqlDatabase, table: string, kind: 'delete' | 'update', rows: number): ArchivedTable {
  const t: ArchivedTable = { table, kind, rows, columns: db.columns(table).map((c) => c.name) };
  const alias = rowidAlias(db, table);
  if (alias) t.rowidAlias = alias;
  return t;
}

/** SQL giving one text per row that changes whenever any value changes (type included). */
export function rowTextSql(columns: string[], alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return columns.map((c) => `typeof(${a}${q(c)}) || ':' || quote(${a}${q(c)})`).join(` || '|' || `) || "''";
}

export const hashText = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** rowid → hash of the row, for rows whose rowids are in `rowidsJson`. */
export function rowHashes(db: SqlDatabase, table: string, columns: string[], rowidsJson: string, schema = 'main'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of db.all<{ r: number; t: string }>(
    `SELECT rowid AS r, ${rowTextSql(columns)} AS t FROM ${schema}.${q(table)} WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid`, [rowidsJson])) {
    out[String(r.r)] = hashText(r.t);
  }
  return out;
}

/** One hash over many rows (in rowid order): for "restored byte-equal" checks. */
export function tableHash(db: SqlDatabase, sql: string, params: (string | number)[] = []): { rows: number; hash: string } {
  const h = createHash('sha256');
  let rows = 0;
  for (const r of db.all<{ t: string }>(sql, params)) { h.update(r.t); h.update('\n'); rows++; }
  return { rows, hash: h.digest('hex') };
}
