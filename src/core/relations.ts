// The relationship graph of a database: foreign keys its schema declares plus the relations a
// profile adds (ORM-only cascades). Feeds orphan detection and cleanup cascades alike.
import type { SqlDatabase } from './db/types';
import type { ProfileSpec, RelationSpec } from './profiles/spec';
import { expr } from './doctor/sql';

export interface Relation {
  table: string;
  column: string;
  parentTable: string;
  parentColumn: string;
  /** 'owned': the child row belongs to the parent (orphaned when it is gone, deleted with it). */
  kind: 'owned' | 'reference';
  source: 'schema' | 'profile';
  /** SQL condition on the child row (alias `t`) for the link to hold (RelationSpec.when). */
  when?: string;
}

export function relationGraph(db: SqlDatabase, profile?: ProfileSpec): Relation[] {
  const tables = new Set(db.tables());
  const byKey = new Map<string, Relation>();
  for (const table of tables) {
    const columns = db.columns(table);
    for (const fk of db.foreignKeys(table)) {
      if (!tables.has(fk.table)) continue;
      const parentColumn = fk.to ?? db.columns(fk.table).find((c) => c.primaryKey === 1)?.name ?? 'rowid';
      const notNull = columns.find((c) => c.name === fk.from)?.notNull ?? false;
      // A NOT NULL foreign key means the row cannot exist without its parent; a nullable one is
      // only a reference (e.g. an invocation's input), whose loss must not delete the row.
      const kind = notNull && !(fk.table === table) ? 'owned' : 'reference';
      byKey.set(`${table}.${fk.from}`, { table, column: fk.from, parentTable: fk.table, parentColumn, kind, source: 'schema' });
    }
  }
  for (const r of profile?.relations ?? []) {
    if (!tables.has(r.table) || !tables.has(r.references.table)) continue;
    byKey.set(`${r.table}.${r.column}`, fromSpec(r));
  }
  return [...byKey.values()];
}

function fromSpec(r: RelationSpec): Relation {
  return { table: r.table, column: r.column, parentTable: r.references.table, parentColumn: r.references.column, kind: r.kind ?? 'owned', source: 'profile',
    ...(r.when ? { when: expr(r.when) } : {}) };
}

/** Tables that own `table`'s rows, transitively: used to order deletes children-first. */
export function childrenOf(graph: Relation[], table: string): Relation[] {
  return graph.filter((r) => r.kind === 'owned' && r.parentTable === table && r.table !== table);
}
