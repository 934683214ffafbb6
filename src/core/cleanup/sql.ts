// Small SQL helpers for the cleanup: identifiers, literals (for the SQL script a user runs with
// their own tool), and ids passed as ONE JSON parameter (`IN (SELECT value FROM json_each(?n))`).
import type { SqlDatabase, SqlValue } from '../db/types';
import { expr, q } from '../doctor/sql';
import type { ProfileSpec } from '../profiles/spec';

export { expr, q };

/** A SQL literal for `v` (scripts only; the engine always binds parameters). */
export function literal(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `X'${Buffer.from(v).toString('hex')}'`;
  return `'${v.replace(/'/g, "''")}'`;
}

/** Numbered parameters shared by every statement of one cleanup (?1 can appear many times). */
export class Params {
  readonly values: SqlValue[] = [];
  add(v: SqlValue): string {
    this.values.push(v);
    return `?${this.values.length}`;
  }
}

/** Replaces ?N by the literal of values[N-1] (outside string literals). */
export function inline(sql: string, values: readonly SqlValue[]): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    const m = c === '?' ? /^\?(\d+)/.exec(sql.slice(i)) : null;
    if (m) { out += literal(values[Number(m[1]) - 1] ?? null); i += m[0].length; continue; }
    out += c;
    i++;
  }
  return out;
}

function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) { if (sql[i + 1] === quote) { i += 2; continue; } return i + 1; }
    i++;
  }
  return sql.length;
}

/** Ids as a JSON array; integer-typed id columns get numbers so comparisons stay numeric. */
export function idsJson(db: SqlDatabase, table: string, idColumn: string, ids: readonly string[]): string {
  const col = db.columns(table).find((c) => c.name === idColumn);
  const numeric = !!col && /INT/i.test(col.type);
  return JSON.stringify(ids.map((id) => (numeric && /^-?\d+$/.test(id) ? Number(id) : id)));
}

export function runIdExpr(profile: ProfileSpec, alias = 't'): string {
  return expr(profile.runs.id, alias);
}

/** The run table's integer primary key column (the rowid alias), if it has one. */
export function rowidAlias(db: SqlDatabase, table: string): string | undefined {
  const cols = db.columns(table);
  const pk = cols.filter((c) => c.primaryKey > 0);
  if (pk.length !== 1 || pk[0]!.type.toUpperCase() !== 'INTEGER') return undefined;
  const sql = db.get<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [table])?.sql ?? '';
  if (/WITHOUT\s+ROWID/i.test(sql)) return undefined;
  // "INTEGER PRIMARY KEY DESC" is not an alias (a historical quirk); everything else is.
  return new RegExp(`${pk[0]!.name}"?\\s+INTEGER\\s+PRIMARY\\s+KEY\\s+DESC`, 'i').test(sql) ? undefined : pk[0]!.name;
}

export { isWithoutRowid } from '../doctor/sql';

/** The parameters a statement uses: values up to its highest ?N (binding more is an error). */
export function paramsFor(sql: string, values: readonly SqlValue[]): SqlValue[] {
  let max = 0;
  for (const m of sql.matchAll(/\?(\d+)/g)) max = Math.max(max, Number(m[1]));
  return values.slice(0, max);
}
