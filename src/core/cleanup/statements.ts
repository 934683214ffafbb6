// The transaction of a plan as statements: materialise every selection into a temp table,
// parents first (a child's selection reads its parent's), then DELETE children first and UPDATE.
// Each statement says how many rows it must touch; execution compares changes() with that.
import type { BuiltPlan } from './plan';
import { selectionSql, tempName, type TableOp } from './selection';
import { q } from './sql';

export interface Statement {
  sql: string;
  /** Rows the statement must insert/delete/update, and what for the message. */
  expect: number;
  table: string;
  what: 'selected' | 'deleted' | 'updated';
}

export function materialiseStatements(built: BuiltPlan, prefix = 'eh_sel'): { create: string[]; fill: Statement[] } {
  const index = new Map(built.ops.map((op, i) => [op.table, i]));
  const name = (table: string) => `temp.${prefix === 'eh_sel' ? tempName(index.get(table)!) : `${prefix}_${index.get(table)!}`}`;
  const create = built.ops.map((op) => `CREATE TEMP TABLE IF NOT EXISTS ${name(op.table).slice(5)} (rid INTEGER PRIMARY KEY)`);
  const fill = built.ops.map((op) => ({
    sql: `INSERT INTO ${name(op.table)} (rid) ${selectionSql(op, (parent) => `SELECT rid FROM ${name(parent)}`)}`,
    expect: built.counts[op.table] ?? 0, table: op.table, what: 'selected' as const,
  }));
  return { create, fill };
}

export const selectedIn = (built: BuiltPlan, op: TableOp, prefix = 'eh_sel'): string =>
  `SELECT rid FROM temp.${prefix}_${built.ops.indexOf(op)}`;

/** Deletes children first (the reverse of the parents-first order), then the updates. */
export function applyStatements(built: BuiltPlan, prefix = 'eh_sel'): Statement[] {
  const out: Statement[] = [];
  for (const op of [...built.ops].reverse()) {
    const rows = `rowid IN (${selectedIn(built, op, prefix)})`;
    if (op.kind === 'delete') out.push({ sql: `DELETE FROM ${q(op.table)} WHERE ${rows}`, expect: built.counts[op.table] ?? 0, table: op.table, what: 'deleted' });
  }
  for (const op of [...built.ops].reverse()) {
    if (op.kind !== 'update' || !op.set?.length) continue;
    const set = op.set.map((s) => `${q(s.column)} = ${s.sql}`).join(', ');
    out.push({ sql: `UPDATE ${q(op.table)} SET ${set} WHERE rowid IN (${selectedIn(built, op, prefix)})`, expect: built.counts[op.table] ?? 0, table: op.table, what: 'updated' });
  }
  return out;
}
