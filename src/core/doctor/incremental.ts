// What one evaluation remembers for the next: per table, its row count and highest rowid, so a
// later evaluation can tell "unchanged", "only appended" (read just the new rows) and "anything
// else" (read it all again). Checks that join tables use it to fold in only new rows.
import type { SqlDatabase, SqlValue } from '../db/types';
import { isWithoutRowid, q } from './sql';

/** `noRowid`: a WITHOUT ROWID table, whose changes can only be seen by reading it again. */
export interface TableMark { rows: number; maxRowid: number; noRowid?: true }

/** Row count and highest rowid of each table, read at most once per evaluation. */
export class TableMarks {
  private readonly seen: Map<string, TableMark>;
  /** `known`: marks of an unchanged file, trusted without asking the database. */
  constructor(private readonly db: SqlDatabase, known?: Map<string, TableMark>) {
    this.seen = new Map(known ?? []);
  }
  all(): Map<string, TableMark> { return new Map(this.seen); }
  get(table: string): TableMark {
    let m = this.seen.get(table);
    if (!m) {
      if (isWithoutRowid(this.db, table)) {
        m = { rows: this.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${q(table)}`)?.n ?? 0, maxRowid: 0, noRowid: true };
      } else {
        const r = this.db.get<{ n: number; m: number | null }>(`SELECT count(*) AS n, max(rowid) AS m FROM ${q(table)}`);
        m = { rows: r?.n ?? 0, maxRowid: r?.m ?? 0 };
      }
      this.seen.set(table, m);
    }
    return m;
  }
  /** Rows added past `before` when the table only grew since then; undefined otherwise. */
  appendedSince(table: string, before: TableMark): number | undefined {
    const now = this.get(table);
    if (now.noRowid || before.noRowid) return undefined;
    if (now.maxRowid < before.maxRowid || now.rows < before.rows) return undefined;
    if (now.maxRowid === before.maxRowid) return now.rows === before.rows ? 0 : undefined;
    const added = this.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${q(table)} WHERE rowid > ?`, [before.maxRowid])?.n ?? 0;
    return before.rows + added === now.rows ? added : undefined;
  }
}

/** Counts keyed by text, plus the marks of the tables they were computed from. */
export interface CountCache { marks: Record<string, TableMark>; counts: Map<string, number> }

/**
 * Keyed counts over `tables` (the first is the one scanned), recomputed in full or, when every
 * table only grew, extended with rows of the first table past its previous highest rowid.
 * `scan(sinceRowid?)` streams [key] tuples.
 */
export function incrementalCounts(
  marks: TableMarks, tables: string[], previous: CountCache | undefined,
  scan: (since: number | undefined, add: (key: string) => void) => void,
): CountCache {
  const now = Object.fromEntries(tables.map((t) => [t, marks.get(t)]));
  let since: number | undefined;
  if (previous && tables.every((t) => previous.marks[t] && marks.appendedSince(t, previous.marks[t]) !== undefined)) {
    if (tables.every((t) => now[t].maxRowid === previous.marks[t].maxRowid)) return { marks: now, counts: previous.counts };
    since = previous.marks[tables[0]].maxRowid;
  }
  const counts = since !== undefined ? new Map(previous!.counts) : new Map<string, number>();
  scan(since, (key) => counts.set(key, (counts.get(key) ?? 0) + 1));
  return { marks: now, counts };
}

export const keyOf = (...parts: SqlValue[]) => parts.map((p) => (p instanceof Uint8Array ? Buffer.from(p).toString('hex') : String(p))).join('|');
