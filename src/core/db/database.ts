// The synchronous SqlDatabase wrapper over a sql.js Database: statements, schema helpers, and
// hooks the opener uses (invalidate caches / check identity before each statement, map errors).
import type { Database, ParamsObject, Statement } from 'sql.js';
import { engineError } from './errors';
import type { ColumnInfo, ForeignKey, SqlDatabase, SqlValue } from './types';

export interface DatabaseHooks {
  /** Runs before every statement (each statement is its own read transaction). */
  before?(): void;
  /** Turns a sql.js error into the error to throw. */
  mapError(e: unknown): Error;
  /** Releases the handle; must not delete the user's file. */
  close(): void;
}

export class SqlJsDatabase implements SqlDatabase {
  private closed = false;
  constructor(readonly path: string, private readonly db: Database, private readonly hooks: DatabaseHooks) {}

  /** The raw sql.js handle, for engine internals (never call export() on a mounted one). */
  get raw(): Database { return this.db; }

  all<T extends object = Record<string, SqlValue>>(sql: string, params?: SqlValue[]): T[] {
    return this.run(sql, params, (st) => {
      const rows: T[] = [];
      while (st.step()) rows.push(st.getAsObject() as T);
      return rows;
    });
  }

  get<T>(sql: string, params?: SqlValue[]): T | undefined {
    return this.run(sql, params, (st) => (st.step() ? (st.getAsObject() as T) : undefined));
  }

  each(sql: string, params: SqlValue[] | undefined, row: (values: SqlValue[]) => void): number {
    return this.run(sql, params, (st) => {
      let n = 0;
      while (st.step()) { row(st.get() as SqlValue[]); n++; }
      return n;
    });
  }

  exec(sql: string): void {
    this.guard(() => { this.db.exec(sql); });
  }

  tables(): string[] {
    return this.all<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .map((r) => r.name);
  }

  columns(table: string): ColumnInfo[] {
    return this.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid', [table])
      .map((r) => ({ name: r.name, type: r.type, notNull: r.notnull === 1, defaultValue: r.dflt_value, primaryKey: r.pk }));
  }

  foreignKeys(table: string): ForeignKey[] {
    return this.all<{ from: string; table: string; to: string | null; on_delete: string; on_update: string }>(
      'SELECT "from", "table", "to", on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq', [table])
      .map((r) => ({ from: r.from, table: r.table, to: r.to, onDelete: r.on_delete, onUpdate: r.on_update }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.close();
  }

  private run<R>(sql: string, params: SqlValue[] | undefined, f: (st: Statement) => R): R {
    return this.guard(() => {
      const st = this.db.prepare(sql);
      try {
        // sql.js binds bigint as text; pass safe integers as numbers so comparisons stay numeric.
        if (params?.length) st.bind(params.map(toBindable) as unknown as ParamsObject);
        return f(st);
      } finally { st.free(); }
    });
  }

  private guard<R>(f: () => R): R {
    if (this.closed) throw engineError('bad-request', this.path, 'the database was already closed');
    try {
      this.hooks.before?.();
      return f();
    } catch (e) { throw this.hooks.mapError(e); }
  }
}

function toBindable(v: SqlValue): string | number | Uint8Array | null {
  if (typeof v !== 'bigint') return v;
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return v.toString();
}
