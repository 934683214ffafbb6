// One measured engine process: open + list tables, then every bench query through EngineClient
// (worker thread, in-place HOSTFS). Prints one JSON line; bench.ts measures wall and peak RSS.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EngineClient } from '../../src/core/engine/client';
import { loadQueries } from './queries';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: engine-run.js FILE');
  const client = new EngineClient();
  const t0 = performance.now();
  const opened = await client.call('open', { path: file }); // worker start + wasm + open + tables
  const firstOpenMs = performance.now() - t0;

  // Then open + list tables on the warm worker (sql.js loaded), as every later open costs.
  // Measured in the worker so this process holds one WebAssembly heap, like the server will.
  await client.call('close', { path: file });
  const t1 = performance.now();
  const tables = (await client.call('open', { path: file })).tables;
  const openTablesMs = performance.now() - t1;

  const queries: { name: string; ms: number; rows: number; consistent: boolean }[] = [];
  for (const q of loadQueries()) {
    const t = performance.now();
    const r = await client.call('query', { path: file, sql: q.sql });
    queries.push({ name: q.name, ms: performance.now() - t, rows: r.rows.length, consistent: r.consistent });
  }
  await client.dispose();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  console.log(JSON.stringify({ firstOpenMs, openTablesMs, tables: tables.length, journalMode: opened.header.journalMode,
    queries, vmHwmMb: hwm ? Number(hwm[1]) / 1024 : null }));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
