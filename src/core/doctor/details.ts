// Everything about one run: every stored column and the rows that hang off it, per table.
import type { SqlDatabase, SqlValue } from '../db/types';
import { cascadeCounts, cascadeSteps } from '../cascade';
import type { ProfileSpec } from '../profiles/spec';
import { relationGraph } from '../relations';
import { expr, q, shownValue } from './sql';

export interface RunDetails { columns: Record<string, SqlValue>; childCounts: Record<string, number> }

export function runDetails(db: SqlDatabase, profile: ProfileSpec, runId: string): RunDetails | undefined {
  const table = profile.runs.table;
  const where = `${expr(profile.runs.id, q(table))} = ?`;
  const id = idParam(db, profile, runId);
  const select = db.columns(table).map((c) => `${shownValue(q(c.name))} AS ${q(c.name)}`).join(', ') || '*';
  const row = db.get<Record<string, SqlValue>>(`SELECT ${select} FROM ${q(table)} WHERE ${where}`, [id]);
  if (!row) return undefined;
  const steps = cascadeSteps(relationGraph(db, profile), table, where, [id]).filter((s) => s.table !== table);
  return { columns: row, childCounts: cascadeCounts(db, steps) };
}

/** Ids reach us as text; integer primary keys must be compared as numbers. */
export function idParam(db: SqlDatabase, profile: ProfileSpec, id: string): SqlValue {
  const col = db.columns(profile.runs.table).find((c) => c.name === profile.runs.id);
  return col && /INT/i.test(col.type) && /^-?\d+$/.test(id) ? Number(id) : id;
}
