// The plan as a SQL script, for users whose database another process holds: they can stop that
// process and run it with a SQLite that takes locks (`sqlite3 -bail DB < plan.sql`). It is the
// engine's own transaction with the parameters written in, and it checks its own counts: a
// temp table with a CHECK constraint makes the script fail (and roll back) on any difference.
import type { BuiltPlan } from './plan';
import { applyStatements, materialiseStatements } from './statements';
import { inline } from './sql';

export function renderScript(built: BuiltPlan): string {
  const { plan } = built;
  const lines: string[] = [
    `-- Experiment Health cleanup plan: ${plan.title}`,
    `-- database: ${plan.database}`,
    `-- profile: ${plan.profile}; planned at ${new Date(plan.options?.now ?? Date.now()).toISOString()}`,
    ...plan.changes.map((c) => `--   ${c.table}: ${c.deleted ? `${c.deleted} deleted` : ''}${c.deleted && c.updated ? ', ' : ''}${c.updated ? `${c.updated} updated` : ''}`),
    '-- Run it with a SQLite that takes locks, after stopping every program that uses the database:',
    '--   sqlite3 -bail DATABASE < this-file.sql',
    '-- It stops (and the transaction rolls back) if any count differs from the plan above.',
    '-- Nothing is archived: make a copy of the database first if you may want the rows back.',
    '',
    'BEGIN IMMEDIATE;',
    'CREATE TEMP TABLE eh_check (ok INTEGER NOT NULL CHECK (ok = 1));',
  ];
  if (!built.ops.length) return [...lines, 'ROLLBACK; -- nothing to do', ''].join('\n');
  const m = materialiseStatements(built);
  for (const c of m.create) lines.push(`${c};`);
  for (const s of m.fill) {
    lines.push(`${inline(s.sql, built.params)};`);
    lines.push(`INSERT INTO eh_check SELECT (SELECT count(*) FROM temp.eh_sel_${built.ops.findIndex((o) => o.table === s.table)}) = ${s.expect}; -- ${s.table}: ${s.expect} rows`);
  }
  for (const s of applyStatements(built)) {
    lines.push(`${inline(s.sql, built.params)};`);
    lines.push(`INSERT INTO eh_check SELECT changes() = ${s.expect}; -- ${s.table}: ${s.expect} ${s.what}`);
  }
  lines.push('COMMIT;', '');
  return lines.join('\n');
}
