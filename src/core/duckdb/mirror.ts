// DuckDB tables → an in-memory SQLite (sql.js) copy with the same table and column names, so the
// unchanged doctor, profiles (egregora) and details run on DuckDB files. Values keep the text the
// SQLite variants store: TIMESTAMPTZ as '2025-11-20 05:55:58.329881+00', UUID as its canonical
// text; BIGINT as numbers. Egregora's runs database is small; a table over the row cap is created
// empty and named in a notice.
import type { Database } from 'sql.js';
import { SqlJsDatabase } from '../db/database';
import { fromSqliteError } from '../db/errors';
import type { SqlJs } from '../db/sqljs';
import type { SqlValue } from '../db/types';
import { q } from '../doctor/sql';
import type { DuckConnection } from './load';

export const DEFAULT_ROW_CAP = 1_000_000;

interface Column { table: string; name: string; type: string; notNull: boolean }

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function rows(conn: DuckConnection, sql: string): Record<string, unknown>[] {
  return conn.query(sql).toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
}

/** How a DuckDB type is read so SQLite keeps the same text or number. */
function selectOf(c: Column): string {
  const t = c.type.toUpperCase();
  const col = q(c.name);
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|BOOLEAN|VARCHAR|TEXT)$/.test(t)) return col;
  if (/^(HUGEINT|UHUGEINT)$|^DECIMAL/.test(t)) return `CAST(${col} AS DOUBLE)`;
  return `CAST(${col} AS VARCHAR)`; // timestamps, dates, UUID, JSON, lists, structs, blobs
}

function value(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof Uint8Array) return v;
  return JSON.stringify(v);
}

export interface Mirror { db: SqlJsDatabase; notices: string[]; tables: { name: string; rows: number; copied: boolean }[] }

export function mirrorToSqlite(conn: DuckConnection, SQL: SqlJs, alias: string, displayPath: string, rowCap = DEFAULT_ROW_CAP): Mirror {
  const notices: string[] = [];
  const tables = rows(conn, `SELECT table_name AS t FROM information_schema.tables WHERE table_catalog = ${lit(alias)}
    AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name`).map((r) => String(r.t));
  const columns = rows(conn, `SELECT table_name AS t, column_name AS c, data_type AS ty, is_nullable AS n FROM information_schema.columns
    WHERE table_catalog = ${lit(alias)} AND table_schema = 'main' ORDER BY table_name, ordinal_position`)
    .map((r): Column => ({ table: String(r.t), name: String(r.c), type: String(r.ty), notNull: r.n === 'NO' }));
  let constraints: Record<string, unknown>[] = [];
  try {
    constraints = rows(conn, `SELECT table_name AS t, constraint_type AS k, constraint_column_names AS cols, referenced_table AS rt,
      referenced_column_names AS rcols FROM duckdb_constraints() WHERE database_name = ${lit(alias)} AND schema_name = 'main'`);
  } catch { /* older catalogs: no keys, the profile's relations still apply */ }
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v && typeof v === 'object' && 'toArray' in v ? [...(v as { toArray(): unknown[] }).toArray()].map(String) : []);

  const raw: Database = new SQL.Database();
  const out: Mirror['tables'] = [];
  try {
    raw.run('BEGIN');
    for (const table of tables) {
      const cols = columns.filter((c) => c.table === table);
      const items = cols.map((c) => `${q(c.name)} ${c.type.replace(/[^A-Za-z0-9 (),_]/g, '')}${c.notNull ? ' NOT NULL' : ''}`);
      for (const k of constraints.filter((x) => x.t === table)) {
        const names = list(k.cols).map(q).join(', ');
        if (k.k === 'PRIMARY KEY' && names) items.push(`PRIMARY KEY (${names})`);
        if (k.k === 'FOREIGN KEY' && names && k.rt) items.push(`FOREIGN KEY (${names}) REFERENCES ${q(String(k.rt))} (${list(k.rcols).map(q).join(', ')})`);
      }
      raw.run(`CREATE TABLE ${q(table)} (${items.join(', ')})`);
      const n = Number(rows(conn, `SELECT count(*) AS n FROM ${q(alias)}.main.${q(table)}`)[0]?.n ?? 0);
      if (n > rowCap) {
        notices.push(`${table}: ${n.toLocaleString('en-US')} rows in the DuckDB file, more than the ${rowCap.toLocaleString('en-US')} this reader copies; read as empty.`);
        out.push({ name: table, rows: n, copied: false });
        continue;
      }
      const result = conn.query(`SELECT ${cols.map(selectOf).join(', ')} FROM ${q(alias)}.main.${q(table)}`);
      const vectors = cols.map((_, i) => result.getChildAt(i));
      const st = raw.prepare(`INSERT INTO ${q(table)} VALUES (${cols.map(() => '?').join(', ')})`);
      try {
        for (let r = 0; r < result.numRows; r++) st.run(vectors.map((v: { get(i: number): unknown } | null) => value(v?.get(r))) as never);
      } finally { st.free(); }
      out.push({ name: table, rows: n, copied: true });
    }
    raw.run('COMMIT');
  } catch (e) {
    raw.close();
    throw e;
  }
  const db = new SqlJsDatabase(displayPath, raw, { mapError: (e) => fromSqliteError(e, displayPath, false), close: () => raw.close() });
  return { db, notices, tables: out };
}
