// Loads duckdb-wasm's blocking Node bindings with the read-only runtime. Only ever imported by
// the DuckDB worker (dist/duckdb-worker.js), so the language server and the engine worker never
// load the 34 MB WebAssembly unless a .duckdb file is opened.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as duckdb from '@duckdb/duckdb-wasm/dist/duckdb-node-blocking';
import { readOnlyRuntime } from './runtime';

export type DuckDb = Awaited<ReturnType<typeof duckdb.createDuckDB>>;
export type DuckConnection = ReturnType<DuckDb['connect']>;

/** Where duckdb-eh.wasm is: beside the bundle (dist/), or in node_modules when run from sources. */
export function wasmPath(dir = __dirname): string {
  const beside = path.join(dir, 'duckdb-eh.wasm');
  if (fs.existsSync(beside)) return beside;
  return createRequire(__filename).resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
}

/** A fresh instance with an in-memory catalog; files are ATTACHed read-only per read. */
export async function createReadOnlyDuckDb(wasm = wasmPath()): Promise<DuckDb> {
  const runtime = readOnlyRuntime(duckdb as never);
  // Only the eh build ships (Node 20 and Electron have wasm exceptions).
  const db = await duckdb.createDuckDB({ mvp: { mainModule: wasm, mainWorker: '' }, eh: { mainModule: wasm, mainWorker: '' } },
    new duckdb.VoidLogger(), runtime);
  await db.instantiate();
  db.open({ query: { castBigIntToDouble: true, castDecimalToDouble: true } });
  return db;
}

export const DUCKDB_VERSION_INFO = { package: duckdb.PACKAGE_VERSION };
