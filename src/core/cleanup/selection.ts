// What a cleanup touches, as data: one operation per table (delete or update) whose rows are a
// union of parts — a condition on the table itself, or "rows whose column points at the selected
// rows of a parent table" (the owned relations: schema foreign keys and a profile's ORM-only
// ones). The same operations render as nested read-only SQL (plans), as temp-table
// materialisation (the transaction), and as a SQL script.
import type { Relation } from '../relations';
import { q } from './sql';

export type SelectionPart =
  | { kind: 'where'; where: string }
  | { kind: 'child'; column: string; parent: string; parentColumn: string; and?: string };

export interface TableOp {
  table: string;
  kind: 'delete' | 'update';
  parts: SelectionPart[];
  /** Update only: column → SQL expression (may use the row's old values and ?N parameters). */
  set?: { column: string; sql: string }[];
}

/** The tables a part depends on. */
const parentsOf = (op: TableOp): string[] => op.parts.flatMap((p) => (p.kind === 'child' ? [p.parent] : []));

/**
 * Adds, for every delete operation, the rows that belong to its rows (owned relations), down the
 * graph. Returns an error sentence when a table would be both deleted from and updated.
 */
export function closeOverOwned(ops: Map<string, TableOp>, graph: Relation[]): string | undefined {
  const queue = [...ops.values()].filter((o) => o.kind === 'delete');
  const seen = new Set(queue.map((o) => o.table));
  while (queue.length) {
    const parent = queue.shift()!;
    for (const r of graph) {
      if (r.kind !== 'owned' || r.parentTable !== parent.table || r.table === parent.table) continue;
      let op = ops.get(r.table);
      if (op?.kind === 'update') return `${r.table} rows would be both updated and deleted (through ${r.column})`;
      if (!op) { op = { table: r.table, kind: 'delete', parts: [] }; ops.set(r.table, op); }
      const exists = op.parts.some((p) => p.kind === 'child' && p.parent === parent.table && p.column === r.column && p.and === r.when);
      if (!exists) op.parts.push({ kind: 'child', column: r.column, parent: parent.table, parentColumn: r.parentColumn, ...(r.when ? { and: r.when } : {}) });
      if (!seen.has(r.table)) { seen.add(r.table); queue.push(op); }
    }
  }
  return undefined;
}

/** Parents before children (Kahn). Undefined when the relations form a cycle. */
export function topological(ops: Map<string, TableOp>): TableOp[] | undefined {
  const out: TableOp[] = [];
  const done = new Set<string>();
  const pending = [...ops.values()];
  while (pending.length) {
    const i = pending.findIndex((o) => parentsOf(o).every((p) => p === o.table || done.has(p) || !ops.has(p)));
    if (i < 0) return undefined;
    const [op] = pending.splice(i, 1);
    out.push(op!);
    done.add(op!.table);
  }
  return out;
}

/** SQL selecting the rowids of one operation, given how to select a parent's rowids. */
export function selectionSql(op: TableOp, parentRowids: (table: string) => string): string {
  return op.parts.map((p) => {
    if (p.kind === 'where') return `SELECT t.rowid FROM ${q(op.table)} t WHERE ${p.where}`;
    const link = `t.${q(p.column)} IN (SELECT p.${q(p.parentColumn)} FROM ${q(p.parent)} p WHERE p.rowid IN (${parentRowids(p.parent)}))`;
    return `SELECT t.rowid FROM ${q(op.table)} t WHERE ${link}${p.and ? ` AND (${p.and})` : ''}`;
  }).join(' UNION ');
}

/** Nested, read-only form (plans): each parent's selection inlined. */
export function nestedSql(ops: Map<string, TableOp>, table: string, depth = 0): string {
  const op = ops.get(table);
  if (!op || depth > 12) return 'SELECT NULL WHERE 0';
  return selectionSql(op, (parent) => nestedSql(ops, parent, depth + 1));
}

export const tempName = (index: number): string => `eh_sel_${index}`;
