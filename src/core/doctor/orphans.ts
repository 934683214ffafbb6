import type { SqlDatabase } from '../db/types';
import type { Finding } from '../model';
import type { Relation } from '../relations';
import { incrementalCounts, type CountCache, type TableMarks } from './incremental';
import { q } from './sql';

/**
 * Rows whose parent row is gone, counted per relation. Owned children are warnings (cleanup can
 * delete them); dangling references are information only, since the row itself is still valid.
 */
export function orphanFindings(db: SqlDatabase, graph: Relation[], marks: TableMarks, caches: Map<string, CountCache>): Finding[] {
  const findings: Finding[] = [];
  for (const r of graph) {
    const cacheKey = `${r.table}.${r.column}`;
    // When both tables only grew, only the new child rows can be new orphans.
    const cache = incrementalCounts(marks, [r.table, r.parentTable], caches.get(cacheKey), (since, add) => {
      const row = db.get<{ n: number; keys: number }>(
        `SELECT count(*) AS n, count(DISTINCT t.${q(r.column)}) AS keys FROM ${q(r.table)} t
          WHERE t.${q(r.column)} IS NOT NULL${since !== undefined ? ' AND t.rowid > ?' : ''}${r.when ? ` AND (${r.when})` : ''}
            AND NOT EXISTS (SELECT 1 FROM ${q(r.parentTable)} p WHERE p.${q(r.parentColumn)} = t.${q(r.column)})`,
        since !== undefined ? [since] : []);
      for (let i = 0; i < (row?.n ?? 0); i++) add('rows');
      for (let i = 0; i < (row?.keys ?? 0); i++) add('keys');
    });
    caches.set(cacheKey, cache);
    const row = { n: cache.counts.get('rows') ?? 0, keys: cache.counts.get('keys') ?? 0 };
    const n = row.n;
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
      details: { column: r.column, parentTable: r.parentTable, parentColumn: r.parentColumn, kind: r.kind, missingParents: row.keys },
    });
  }
  return findings;
}
