// Building SQL from profile data: identifiers are quoted, bare column names are recognised, and
// expressions that do not fit the actual schema degrade to NULL with a notice instead of failing.
import type { SqlDatabase, SqlValue } from '../db/types';

export function q(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

const BARE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A WITHOUT ROWID table has no rowid to order by or to mark "read up to here" with. */
export function isWithoutRowid(db: SqlDatabase, table: string): boolean {
  const sql = db.get<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [table])?.sql ?? '';
  return /WITHOUT\s+ROWID/i.test(sql.slice(sql.lastIndexOf(')') + 1)); // the options after the columns
}

/** Rows in the order they were written where the table has rowids (WITHOUT ROWID: key order). */
export function rowOrder(db: SqlDatabase, table: string): string {
  return isWithoutRowid(db, table) ? '' : ' ORDER BY t.rowid';
}

/** Longer text or blob values are described, not read: a run row can hold a 1 GB blob or a 200 MB traceback. */
export const MAX_SHOWN_BYTES = 64 * 1024;

/**
 * `sql`'s value when it is short, else a description: `<text, 200000000 bytes, too long to show>`.
 * typeof() and octet_length() of a column read only the record header, so a big value is never
 * loaded (an expression over a column still is: SQLite evaluates it whole).
 */
export function shownValue(sql: string, maxBytes = MAX_SHOWN_BYTES): string {
  if (sql === 'NULL') return sql;
  return `CASE WHEN typeof(${sql}) IN ('text', 'blob') AND octet_length(${sql}) > ${maxBytes} `
    + `THEN '<' || typeof(${sql}) || ', ' || octet_length(${sql}) || ' bytes, too long to show>' ELSE ${sql} END`;
}

/** Column name → quoted reference on alias; anything else is taken as a SQL expression. */
export function expr(e: string, alias = 't'): string {
  return BARE.test(e) ? `${alias}.${q(e)}` : e;
}

/**
 * Renders each named expression for `table`, replacing any that the schema cannot evaluate
 * (a missing column, a function this SQLite lacks) by NULL and reporting it (`unread` hears of each).
 */
export function checkedExpressions(
  db: SqlDatabase, table: string, named: Record<string, string | undefined>, notices: string[],
  unread?: (name: string, e: string, error: string) => void,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, e] of Object.entries(named)) {
    if (e === undefined) { out[name] = 'NULL'; continue; }
    const sql = expr(e);
    try {
      db.all(`SELECT ${sql} FROM ${q(table)} t LIMIT 0`);
      out[name] = sql;
    } catch (err) {
      out[name] = 'NULL';
      notices.push(unreadableNotice(table, name, e, err));
      unread?.(name, e, err instanceof Error ? err.message : String(err));
    }
  }
  return out;
}

/** One sentence for an expression the file cannot answer: what is missing, not "check the SQL". */
function unreadableNotice(table: string, internalName: string, e: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const name = /^a\d+$/.test(internalName) ? 'activity' : internalName.replace(/^c_/, 'count ');
  const missing = /no such (table|column): ([^\s)]+)/.exec(message);
  // A mapping's own short expression helps its author; a built-in subquery is only noise.
  const shown = e.length <= 40 && !/\bselect\b|\bcase\b/i.test(e) ? ` (${e})` : '';
  if (missing) return `${table}: ${name} is not read, because this file has no ${missing[1]} ${missing[2].replace(/^\w+\./, '')}${shown}.`;
  return `${table}: cannot read ${name}${shown}: ${message}`;
}

/** Ids as the user sees them: text stays text, numbers become text, blobs become hex. */
export function idText(v: SqlValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return Buffer.from(v).toString('hex');
}

export function num(v: SqlValue | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function text(v: SqlValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

export function tableExists(db: SqlDatabase, table: string): boolean {
  return db.tables().includes(table);
}

export function hasColumn(db: SqlDatabase, table: string, column: string): boolean {
  return db.columns(table).some((c) => c.name === column);
}
