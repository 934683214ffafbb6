// Child process of cleanup-crash.test.ts: plans and executes a cleanup, and after the first
// DELETE of the main transaction (dirty pages spilled by a tiny cache) says "mid" and blocks, so
// the test can SIGKILL it mid-transaction.
import { buildPlan } from '../../src/core/cleanup/plan';
import { executeCleanup } from '../../src/core/cleanup/execute';
import type { CleanupAction } from '../../src/core/cleanup/types';
import { openDatabaseSync } from '../../src/core/db/open';
import { loadSqlJs } from '../../src/core/db/sqljs';

async function main(): Promise<void> {
  const [file, action] = process.argv.slice(2) as [string, CleanupAction];
  const options = { now: Date.parse('2025-11-20T12:00:00Z'), staleAfterMinutes: 60, naive: { zone: 'utc' as const } };
  const SQL = await loadSqlJs();
  const db = openDatabaseSync(SQL, file);
  const plan = buildPlan(db, { action, target: { path: file }, options }).plan;
  db.close();
  let applied = 0;
  executeCleanup(SQL, { plan, archive: true, options }, {
    onOpen: (s) => s.exec('PRAGMA cache_size = 4'), // spill dirty pages into the file (or the -wal) early
    onStatement: (phase) => {
      if (phase !== 'apply' || ++applied < 2) return;
      process.stdout.write('mid\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    },
  });
  process.stdout.write('done\n');
}
void main();
