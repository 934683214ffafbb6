// In-memory databases (from bytes or empty) with the same SqlDatabase API, for tests and for
// fixtures built in TypeScript. Copies the bytes: only for small databases.
import type { Database } from 'sql.js';
import { SqlJsDatabase } from './database';
import { fromSqliteError } from './errors';
import { loadSqlJs, type SqlJs } from './sqljs';
import type { SqlDatabase } from './types';

export function openMemoryDatabaseSync(SQL: SqlJs, bytes?: Uint8Array, name = ':memory:'): SqlDatabase & { export(): Uint8Array } {
  let db: Database;
  try { db = new SQL.Database(bytes); } catch (e) { throw fromSqliteError(e, name, false); }
  const wrapper = new SqlJsDatabase(name, db, {
    mapError: (e) => fromSqliteError(e, name, false),
    close: () => db.close(),
  });
  return Object.assign(wrapper, { export: () => db.export() });
}

export async function openMemoryDatabase(bytes?: Uint8Array, name?: string): Promise<SqlDatabase & { export(): Uint8Array }> {
  return openMemoryDatabaseSync(await loadSqlJs(), bytes, name);
}

/** Runs `sql` on a fresh in-memory database and returns the file bytes (test fixtures). */
export async function buildDatabaseBytes(sql: string): Promise<Uint8Array> {
  const db = await openMemoryDatabase();
  try { db.exec(sql); return db.export(); } finally { db.close(); }
}
