// Types shared by every database consumer (doctor, cleanup, server, CLI). No runtime code here.

/** A value SQLite can hand back or take as a parameter. */
export type SqlValue = string | number | bigint | Uint8Array | null;

export interface ColumnInfo {
  name: string;
  /** Declared type as written in the schema ('' when none). */
  type: string;
  notNull: boolean;
  defaultValue: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  primaryKey: number;
}

export interface ForeignKey {
  /** Column in the child table. */
  from: string;
  /** Referenced (parent) table. */
  table: string;
  /** Referenced column; null when the schema names only the table (implicit primary key). */
  to: string | null;
  onDelete: string;
  onUpdate: string;
}

/** Synchronous wrapper over one open database (sql.js runs synchronously inside the worker). */
export interface SqlDatabase {
  readonly path: string;
  all<T extends object = Record<string, SqlValue>>(sql: string, params?: SqlValue[]): T[];
  get<T>(sql: string, params?: SqlValue[]): T | undefined;
  /** Streams rows as arrays (column order of the SELECT) without collecting them: big scans. */
  each(sql: string, params: SqlValue[] | undefined, row: (values: SqlValue[]) => void): number;
  exec(sql: string): void;
  tables(): string[];
  columns(table: string): ColumnInfo[];
  foreignKeys(table: string): ForeignKey[];
  close(): void;
}

/** 'read' (default) never writes; 'write' is the explicit session a confirmed cleanup opens. */
export type OpenMode = 'read' | 'write';

export interface OpenOptions {
  mode?: OpenMode;
  /** Read-ahead block size in bytes (default READ_AHEAD in hostfs.ts; 0 disables the cache). */
  blockSize?: number;
  /** Blocks kept per open file (default READ_AHEAD: 64 blocks of 64 KiB). */
  maxBlocks?: number;
  /** Prefetch a looked-up interior page's children even while reads are fast (tests; see prefetch.ts). */
  prefetchAlways?: boolean;
}

export type JournalMode = 'rollback' | 'wal' | 'unknown';

export interface SidecarFile {
  exists: boolean;
  size: number;
  mtimeMs: number;
}

/** What the 100-byte header and the files beside the database say, read without SQLite. */
export interface HeaderInfo {
  path: string;
  fileSize: number;
  journalMode: JournalMode;
  /** Header bytes 18/19 (1 = rollback, 2 = WAL). */
  writeVersion: number;
  readVersion: number;
  pageSize: number;
  /** In-header page count (bytes 28–31); null when the header marks it stale (bytes 92–95 ≠ change counter). */
  pageCount: number | null;
  /** File change counter, bytes 24–27. */
  changeCounter: number;
  textEncoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'unknown';
  schemaFormat: number;
  /** SQLITE_VERSION_NUMBER of the last library that wrote the file (bytes 96–99), e.g. 3040001. */
  sqliteVersion: number;
  wal: SidecarFile;
  shm: SidecarFile;
  journal: SidecarFile;
}
