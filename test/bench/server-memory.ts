// The language server's memory, measured the way it is made up: a Node process with the sql.js
// engine worker evaluating every database of a folder, then the DuckDB reader on top, then after
// the reader was stopped (idle). Usage: node server-memory.js [FOLDER] (default: the demo workspace)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineClient } from '../../src/core/engine/client';
import { DuckDbEngine, isDuckDbPath } from '../../src/core/duckdb/engine';
import { defaultOptions } from '../../src/core/doctor/options';

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? files(path.join(dir, e.name)) : /\.(sqlite3?|db|duckdb)$/.test(e.name) ? [path.join(dir, e.name)] : []);

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? 'test/demo-workspace');
  const all = files(dir);
  const out: Record<string, number> = { start: rssMb() };
  const engine = new EngineClient(path.join(__dirname, '../../../dist/engine-worker.js'));
  const options = { ...defaultOptions(), showHidden: true };
  for (const f of all.filter((x) => !isDuckDbPath(x))) await engine.call('doctor', { path: f, options, profiles: [] });
  out.sqliteDatabases = rssMb();
  const duck = new DuckDbEngine({ workerPath: path.join(__dirname, '../../../dist/duckdb-worker.js'), idleMs: 60_000 });
  for (const f of all.filter(isDuckDbPath)) await duck.call('doctor', { path: f, options, profiles: [] });
  out.withDuckDb = rssMb();
  await duck.stopWorker();
  await new Promise((r) => setTimeout(r, 2000));
  out.duckDbIdle = rssMb();
  console.log(JSON.stringify({ databases: all.length, rssMb: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v)])) }));
  await engine.dispose();
  await duck.dispose();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
