// Writes the explorer's performance workspace: one recipe-runner database whose recipes hold
// 3,220 and 100,000 runs (issue: "first page of an experiment with 3,220 runs and of one with
// 100,000 runs shown in <= 300 ms after expand"). Usage: node tree-perf-workspace.js <folder>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execAll, exportDb, newDb } from '../fixtures/build';
import { RR_DDL } from '../fixtures/systems/recipe-runner-ddl';

async function main(dir: string): Promise<void> {
  const file = path.join(dir, 'sweeps', 'llmcore.db');
  if (fs.existsSync(file)) { console.log(`${file} exists`); return; }
  const db = await newDb();
  execAll(db, RR_DDL);
  let next = 0;
  for (const [recipe, name, runs] of [[1, 'sweep-3220', 3220], [2, 'sweep-100000', 100_000]] as const) {
    db.run('INSERT INTO recipes(recipe_id, canonical_code) VALUES (?, ?)', [recipe, name]);
    // Mostly finished runs, some PARTIAL (incomplete) and FAILED, over the last 30 days.
    db.run(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs - 1})
      INSERT INTO recipe_runs(recipe_id, variation_id, batch_id, started_at, completed_at, status, total_steps, completed_steps, error_details)
      SELECT ${recipe}, ${next} + i, i % 8, datetime('now', '-30 days', '+' || (i * 43200 / ${runs}) || ' minutes'),
        CASE WHEN i % 9 < 7 THEN datetime('now', '-30 days', '+' || (i * 43200 / ${runs} + 20) || ' minutes') END,
        CASE i % 9 WHEN 7 THEN 'PARTIAL' WHEN 8 THEN 'FAILED' ELSE 'SUCCESS' END, 100,
        CASE i % 9 WHEN 7 THEN 58 WHEN 8 THEN i % 100 ELSE 100 END,
        CASE WHEN i % 9 = 8 THEN 'RuntimeError: CUDA out of memory' END
      FROM n`);
    next += runs;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, exportDb(db));
  console.log(`wrote ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
}

main(process.argv[2] ?? '.bench/tree-perf').catch((e) => { console.error(e); process.exit(1); });
