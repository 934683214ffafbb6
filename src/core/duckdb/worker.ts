// worker_threads entry bundled as dist/duckdb-worker.js: the DuckDB reader, loaded only when a
// .duckdb file is opened (DuckDbEngine starts it). It speaks the engine protocol (EngineRequest /
// EngineResponse), so the server treats it like the SQLite engine: doctor, runDetails, query,
// open, close, plan (always refused: cleanups on DuckDB files are not available yet), memory.
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { EngineError, engineError } from '../db/errors';
import { sidecar } from '../db/header';
import { loadSqlJs, loadedSqlJs } from '../db/sqljs';
import type { HeaderInfo, SqlValue } from '../db/types';
import { runDetails } from '../doctor/details';
import { runDoctor } from '../doctor/doctor';
import type { DoctorParams, DoctorResponse, RunDetailsParams } from '../engine/doctor-handlers';
import type { EngineRequest, EngineResponse } from '../engine/protocol';
import { describeSchema, detectProfile } from '../profiles/registry';
import { DuckReader } from './reader';
import { duckCleanupRefusal, type DuckPlanParams } from './refusal';

const port = parentPort;
if (!port) throw new Error('duckdb-worker.js must run in a worker thread');

const ready = loadSqlJs();
const reader = new DuckReader(() => loadedSqlJs()!);

export const DUCKDB_NOTICE = 'Read from a DuckDB file, strictly read-only (duckdb-wasm, from a consistent copy when the file is small). '
  + 'Cleanups are not available for DuckDB files yet.';

function header(file: string, size: number): HeaderInfo {
  const none = { exists: false, size: 0, mtimeMs: 0 };
  return { path: file, fileSize: size, journalMode: 'unknown', writeVersion: 0, readVersion: 0, pageSize: 0, pageCount: null, changeCounter: 0,
    textEncoding: 'utf-8', schemaFormat: 0, sqliteVersion: 0, wal: sidecar(`${file}.wal`), shm: none, journal: none };
}

const requirePath = (params: unknown): string => {
  const p = (params as { path?: unknown } | null)?.path;
  if (typeof p !== 'string' || !p) throw engineError('bad-request', String(p), 'params.path must be a non-empty string');
  return path.resolve(p);
};

const handlers: Record<string, (params: any) => unknown> = { // eslint-disable-line @typescript-eslint/no-explicit-any
  async doctor(params: DoctorParams): Promise<DoctorResponse> {
    const t0 = Date.now();
    const file = requirePath(params);
    const read = await reader.read(file, (m) => {
      const { result } = runDoctor(m.db, params.options, params.profiles ?? []);
      result.notices.unshift(DUCKDB_NOTICE, ...m.notices);
      return result;
    });
    const res: DoctorResponse = { result: read.value, header: header(file, read.version.size), consistent: read.consistent, elapsedMs: Date.now() - t0, reused: false };
    if (read.message) res.message = read.message;
    return res;
  },
  async runDetails(params: RunDetailsParams) {
    const file = requirePath(params);
    return (await reader.read(file, (m) => {
      const profile = detectProfile(describeSchema(m.db), params.profiles ?? [], params.profile);
      return profile ? runDetails(m.db, profile, params.runId) ?? null : null;
    })).value;
  },
  async query(params: { path: string; sql: string; params?: SqlValue[] }) {
    const file = requirePath(params);
    if (typeof params.sql !== 'string') throw engineError('bad-request', file, 'params.sql must be a string');
    const r = await reader.read(file, (m) => m.db.all(params.sql, Array.isArray(params.params) ? params.params : []));
    return r.consistent ? { rows: r.value, consistent: true } : { rows: r.value, consistent: false, message: r.message };
  },
  async open(params: { path: string }) {
    const file = requirePath(params);
    const r = await reader.read(file, (m) => m.db.tables());
    return { header: header(file, r.version.size), tables: r.value };
  },
  async tables(params: { path: string }) { return (await handlers.open!(params) as { tables: string[] }).tables; },
  close: () => ({ closed: true }), // nothing stays open between calls
  forget: () => ({ forgotten: false }),
  plan: (params: DuckPlanParams) => duckCleanupRefusal({ ...params, target: { ...params.target, path: requirePath(params.target) } }),
  memory: () => ({ ...process.memoryUsage(), instances: reader.instances }),
};

let chain: Promise<void> = Promise.resolve();
port.on('message', (req: EngineRequest) => { chain = chain.then(() => handle(req)); });

async function handle(req: EngineRequest): Promise<void> {
  let res: EngineResponse;
  const p = String((req.params as { path?: unknown })?.path ?? '');
  try {
    await ready;
    const h = Object.prototype.hasOwnProperty.call(handlers, req.method) ? handlers[req.method] : undefined;
    if (!h) throw engineError('bad-request', p, `unknown method '${req.method}' for DuckDB files`);
    res = { id: req.id, ok: true, result: await h(req.params) };
  } catch (e) {
    const err = e instanceof EngineError ? e : engineError('internal', p, e instanceof Error ? e.message : String(e));
    res = { id: req.id, ok: false, error: err.toJSON() };
  }
  port!.postMessage(res);
}
