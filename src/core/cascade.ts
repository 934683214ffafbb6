// Which rows hang off a selection of rows: follows owned relations (schema foreign keys and a
// profile's ORM-only ones) down from a root table. The same walk counts rows for details and
// cleanup plans and orders deletes children-first.
import type { SqlDatabase, SqlValue } from './db/types';
import { q } from './doctor/sql';
import type { Relation } from './relations';

export interface CascadeStep {
  table: string;
  /**
   * SQL condition on this table's own columns selecting its affected rows (nested subqueries,
   * read-only safe). No rowids: in a WITHOUT ROWID table a bare rowid would silently resolve to
   * an outer query's table.
   */
  where: string;
  params: SqlValue[];
  /** Path from the root, for explanations ("run → invocation → embedding"). */
  via: string[];
  depth: number;
}

const MAX_DEPTH = 6;

/**
 * Steps for the root selection and every owned descendant, parents before children; delete in
 * reverse order. A table reached along two paths gets one step whose selection is their union.
 */
export function cascadeSteps(graph: Relation[], rootTable: string, rootWhere: string, params: SqlValue[]): CascadeStep[] {
  const steps = new Map<string, CascadeStep>();
  const root: CascadeStep = { table: rootTable, where: rootWhere, params, via: [rootTable], depth: 0 };
  steps.set(rootTable, root);
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    if (parent.depth >= MAX_DEPTH) continue;
    for (const r of graph) {
      if (r.kind !== 'owned' || r.parentTable !== parent.table || r.table === parent.table || r.table === rootTable) continue;
      const sql = `${q(r.table)}.${q(r.column)} IN (SELECT ${q(parent.table)}.${q(r.parentColumn)} FROM ${q(parent.table)} WHERE ${parent.where})`
        + (r.when ? ` AND ${q(r.table)}.rowid IN (SELECT t.rowid FROM ${q(r.table)} t WHERE ${r.when})` : '');
      const existing = steps.get(r.table);
      if (existing) {
        existing.where = `(${existing.where}) OR (${sql})`;
        existing.params = [...existing.params, ...parent.params];
        existing.depth = Math.max(existing.depth, parent.depth + 1);
        continue;
      }
      const step: CascadeStep = { table: r.table, where: sql, params: parent.params, via: [...parent.via, r.table], depth: parent.depth + 1 };
      steps.set(r.table, step);
      queue.push(step);
    }
  }
  return [...steps.values()].sort((a, b) => a.depth - b.depth);
}

/** Row counts per table for a cascade (read-only). */
export function cascadeCounts(db: SqlDatabase, steps: CascadeStep[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of steps) {
    out[s.table] = db.get<{ n: number }>(`SELECT count(*) AS n FROM ${q(s.table)} WHERE ${s.where}`, s.params)?.n ?? 0;
  }
  return out;
}
