// Which rows hang off a selection of rows: follows owned relations (schema foreign keys and a
// profile's ORM-only ones) down from a root table. The same walk counts rows for details and
// cleanup plans and orders deletes children-first.
import type { SqlDatabase, SqlValue } from './db/types';
import { q } from './doctor/sql';
import type { Relation } from './relations';

export interface CascadeStep {
  table: string;
  /** SQL selecting the rowids of this table's affected rows (nested subqueries, read-only safe). */
  rowidSql: string;
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
  const root: CascadeStep = { table: rootTable, rowidSql: `SELECT rowid FROM ${q(rootTable)} WHERE ${rootWhere}`, params, via: [rootTable], depth: 0 };
  steps.set(rootTable, root);
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    if (parent.depth >= MAX_DEPTH) continue;
    for (const r of graph) {
      if (r.kind !== 'owned' || r.parentTable !== parent.table || r.table === parent.table || r.table === rootTable) continue;
      const sql = `SELECT rowid FROM ${q(r.table)} WHERE ${q(r.column)} IN (SELECT ${q(r.parentColumn)} FROM ${q(parent.table)} WHERE rowid IN (${parent.rowidSql}))`;
      const existing = steps.get(r.table);
      if (existing) {
        existing.rowidSql = `${existing.rowidSql} UNION ${sql}`;
        existing.params = [...existing.params, ...parent.params];
        existing.depth = Math.max(existing.depth, parent.depth + 1);
        continue;
      }
      const step: CascadeStep = { table: r.table, rowidSql: sql, params: parent.params, via: [...parent.via, r.table], depth: parent.depth + 1 };
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
    out[s.table] = db.get<{ n: number }>(`SELECT count(*) AS n FROM (${s.rowidSql})`, s.params)?.n ?? 0;
  }
  return out;
}
