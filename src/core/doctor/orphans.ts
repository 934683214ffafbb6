import type { SqlDatabase } from '../db/types';
import type { Finding } from '../model';
import type { Relation } from '../relations';
import { q } from './sql';

/**
 * Rows whose parent row is gone, counted per relation. Owned children are warnings (cleanup can
 * delete them); dangling references are information only, since the row itself is still valid.
 */
export function orphanFindings(db: SqlDatabase, graph: Relation[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of graph) {
    const row = db.get<{ n: number; keys: number }>(
      `SELECT count(*) AS n, count(DISTINCT c.${q(r.column)}) AS keys FROM ${q(r.table)} c
        WHERE c.${q(r.column)} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${q(r.parentTable)} p WHERE p.${q(r.parentColumn)} = c.${q(r.column)})`);
    const n = row?.n ?? 0;
    if (!n) continue;
    const owned = r.kind === 'owned';
    findings.push({
      code: 'orphan/rows',
      severity: owned ? 'warning' : 'information',
      table: r.table,
      count: n,
      message: owned
        ? `${n} ${r.table} ${n === 1 ? 'row belongs' : 'rows belong'} to ${r.parentTable} rows that no longer exist (${r.column}).`
        : `${n} ${r.table} ${n === 1 ? 'row refers' : 'rows refer'} to missing ${r.parentTable} rows through ${r.column}.`,
      details: { column: r.column, parentTable: r.parentTable, parentColumn: r.parentColumn, kind: r.kind, missingParents: row?.keys ?? 0 },
    });
  }
  return findings;
}
